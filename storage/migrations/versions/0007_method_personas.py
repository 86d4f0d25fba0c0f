"""method personas: every empathy section has a persona field; evidence says what it shows

Revision ID: 0007
Revises: 0006

- `persona.area`: the product or area a persona belongs to (the 3-5 core personas rule counts
  per area);
- `persona.beliefs` (thinks and feels) and `persona.opportunities` (Gothelf's fourth quadrant:
  possible solutions);
- `evidence.stance` (supports or challenges) and `evidence.assumption` (the persona field it
  tests; empty: the persona as a whole). Evidence gathered before says neither, so it is kept
  as supporting the persona as a whole: it never validates one assumption by itself.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("persona", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area", TEXT(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("beliefs", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("opportunities", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("persona", schema=None) as batch_op:
        for column in ("area", "beliefs", "opportunities"):
            batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stance", sa.String(), nullable=False, server_default="supports"))
        batch_op.add_column(sa.Column("assumption", TEXT(), nullable=False, server_default=""))
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        for column in ("stance", "assumption"):
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("assumption")
        batch_op.drop_column("stance")
    with op.batch_alter_table("persona", schema=None) as batch_op:
        batch_op.drop_column("opportunities")
        batch_op.drop_column("beliefs")
        batch_op.drop_column("area")
