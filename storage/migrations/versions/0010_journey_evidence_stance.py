"""journey evidence says whether it supports or challenges what it is about

Revision ID: 0010
Revises: 0009

`journey_evidence.stance` (supports or challenges), as persona evidence has had since 0007.
Evidence recorded before said neither; it was added to back the map, so it is kept as supporting.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journey_evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stance", sa.String(), nullable=False, server_default="supports"))
    with op.batch_alter_table("journey_evidence", schema=None) as batch_op:
        batch_op.alter_column("stance", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("journey_evidence", schema=None) as batch_op:
        batch_op.drop_column("stance")
