"""method journeys: scope and current/future state, backstage, thoughts, "not part of this journey", link owners

Revision ID: 0009
Revises: 0003

Journeys that exist are current-state maps with no scope written yet; a layer's link owner is
whoever linked it (its `created_by`), as the card showed until now.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0003"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("journey", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(), nullable=False, server_default="current"))
        for column in ("scope_start", "scope_end", "scope_why", "backstage"):
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("persona_stage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thoughts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("not_part", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE persona_stage SET thoughts = '[]'")
    with op.batch_alter_table("persona_stage", schema=None) as batch_op:
        batch_op.alter_column("thoughts", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("journey_layer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", TEXT(), nullable=False, server_default=""))
    op.execute("UPDATE journey_layer SET owner_id = created_by")


def downgrade() -> None:
    with op.batch_alter_table("journey_layer", schema=None) as batch_op:
        batch_op.drop_column("owner_id")
    with op.batch_alter_table("persona_stage", schema=None) as batch_op:
        batch_op.drop_column("not_part")
        batch_op.drop_column("thoughts")
    with op.batch_alter_table("journey", schema=None) as batch_op:
        for column in ("backstage", "scope_why", "scope_end", "scope_start", "state"):
            batch_op.drop_column(column)
