"""method journeys: scope and current/future state, backstage, thoughts, "not part of this journey", link owners,
a dot-vote over a map's pains and opportunities with an owner per chosen opportunity, evidence for journeys and layers

Revision ID: 0009
Revises: 0007

Journeys that exist are current-state maps with no scope written yet; a layer's link owner is
whoever linked it (its `created_by`), as the card showed until now.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def _item_columns() -> list[sa.Column]:
    return [sa.Column("item_key", TEXT(), nullable=False), sa.Column("field", TEXT(), nullable=False),
            sa.Column("text", sa.Text(), nullable=False), sa.Column("layer_id", sa.Integer(), nullable=False),
            sa.Column("stage_id", sa.Integer(), nullable=False)]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


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
    op.create_table(
        "journey_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", TEXT(), nullable=False),
        *_item_columns(),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "voter_id", "item_key"),
    )
    _indexes("journey_vote", "journey_id", "team_id")
    op.create_table(
        "journey_opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        *_item_columns(),
        sa.Column("owner_id", TEXT(), nullable=False),
        sa.Column("assigned_by", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "item_key"),
    )
    _indexes("journey_opportunity", "journey_id", "team_id")
    op.create_table(
        "journey_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("permalink", TEXT(), nullable=False),
        sa.Column("added_by", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"]),
        sa.ForeignKeyConstraint(["layer_id"], ["journey_layer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("journey_evidence", "journey_id", "team_id")


def downgrade() -> None:
    op.drop_table("journey_evidence")
    op.drop_table("journey_opportunity")
    op.drop_table("journey_vote")
    with op.batch_alter_table("journey_layer", schema=None) as batch_op:
        batch_op.drop_column("owner_id")
    with op.batch_alter_table("persona_stage", schema=None) as batch_op:
        batch_op.drop_column("not_part")
        batch_op.drop_column("thoughts")
    with op.batch_alter_table("journey", schema=None) as batch_op:
        for column in ("backstage", "scope_why", "scope_end", "scope_start", "state"):
            batch_op.drop_column(column)
