"""journeys: goal, status, revisions and history; layers for personas or segments; note links; cards

Revision ID: 0003
Revises: 0002

`persona_stage` was never written by any release (nothing used journeys), so it is recreated
around layers instead of being altered column by column.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime
ITEM_COLUMNS = ("goals", "actions", "touchpoints", "channels", "questions")


def upgrade() -> None:
    with op.batch_alter_table("journey", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("image_revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("created_by", TEXT(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("updated_at", WHEN(), nullable=True))
        batch_op.alter_column("status", type_=sa.String(), existing_nullable=False)
        batch_op.create_index("ix_journey_team_status", ["team_id", "status"], unique=False)
    with op.batch_alter_table("journey", schema=None) as batch_op:
        for column in ("goal", "revision", "image_revision", "created_by"):
            batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removable", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.alter_column("removable", server_default=None)

    op.drop_table("persona_stage")
    op.create_table(
        "journey_layer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.Column("segment", TEXT(), nullable=False),
        sa.Column("subject_key", TEXT(), nullable=False),
        sa.Column("created_by", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"]),
        sa.ForeignKeyConstraint(["persona_id"], ["persona.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "subject_key"),
    )
    _indexes("journey_layer", "journey_id", "persona_id", "team_id")
    op.create_table(
        "persona_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.JSON(), nullable=False) for name in ITEM_COLUMNS),
        sa.Column("emotion", sa.Integer(), nullable=True),
        sa.Column("emotion_word", TEXT(), nullable=False),
        sa.Column("pains", sa.JSON(), nullable=False),
        sa.Column("opportunities", sa.JSON(), nullable=False),
        sa.Column("updated_by", TEXT(), nullable=False),
        sa.Column("updated_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["layer_id"], ["journey_layer.id"]),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("layer_id", "stage_id"),
    )
    _indexes("persona_stage", "layer_id", "stage_id", "team_id")
    op.create_table(
        "journey_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("editor_id", TEXT(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("journey_revision", "journey_id", "team_id")
    op.create_table(
        "journey_note_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.Column("linked_by", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"]),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"]),
        sa.ForeignKeyConstraint(["note_id"], ["note.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["empathy_session.id"]),
        sa.ForeignKeyConstraint(["persona_id"], ["persona.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "note_id"),
    )
    _indexes("journey_note_link", "journey_id", "note_id", "stage_id", "team_id")
    op.create_table(
        "journey_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", TEXT(), nullable=False),
        sa.Column("message_ts", TEXT(), nullable=False),
        sa.Column("layer_filter", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "channel_id", "message_ts"),
    )
    _indexes("journey_card", "journey_id", "team_id")


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    for table in ("journey_card", "journey_note_link", "journey_revision", "persona_stage", "journey_layer"):
        op.drop_table(table)
    op.create_table(
        "persona_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", TEXT(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.JSON(), nullable=False) for name in ITEM_COLUMNS),
        sa.Column("emotion", sa.Integer(), nullable=False),
        sa.Column("pains", sa.JSON(), nullable=False),
        sa.Column("opportunities", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["persona_id"], ["persona.id"]),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("persona_id", "stage_id"),
    )
    _indexes("persona_stage", "persona_id", "stage_id", "team_id")
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.drop_column("removable")
    with op.batch_alter_table("journey", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_team_status")
        batch_op.alter_column("status", type_=TEXT(), existing_nullable=False)
        for column in ("updated_at", "created_by", "image_revision", "revision", "goal"):
            batch_op.drop_column(column)
