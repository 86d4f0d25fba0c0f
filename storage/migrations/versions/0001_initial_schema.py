"""initial schema

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("thread_ts", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("flow", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "user_id", "channel_id", "thread_ts"),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_team_id"), ["team_id"], unique=False)

    op.create_table(
        "journey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("next_review_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("journey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journey_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_journey_team_id"), ["team_id"], unique=False)

    op.create_table(
        "persona",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("behaviors", sa.JSON(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("frustrations", sa.JSON(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("unsure", sa.Text(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("next_review_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_session_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("persona", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persona_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persona_team_id"), ["team_id"], unique=False)
        batch_op.create_index("ix_persona_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "processed_event",
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("processed_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processed_event_received_at"), ["received_at"], unique=False)

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("snoozed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("escalated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "subject_type", "subject_id", "reason", "due_at"),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_review_state_due", ["state", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_team_id"), ["team_id"], unique=False)

    op.create_table(
        "empathy_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("board_ts", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("facilitator_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.Column("canvas", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("votes_per_person", sa.Integer(), nullable=False),
        sa.Column("phase_index", sa.Integer(), nullable=False),
        sa.Column("phase_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("phase_ends_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("paused_seconds_left", sa.Integer(), nullable=True),
        sa.Column("warned", sa.Boolean(), nullable=False),
        sa.Column("idle_nudged", sa.Boolean(), nullable=False),
        sa.Column("last_note_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["persona.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("empathy_session", schema=None) as batch_op:
        batch_op.create_index("ix_empathy_session_board", ["team_id", "channel_id", "board_ts"], unique=False)
        batch_op.create_index("ix_empathy_session_due", ["status", "phase_ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_empathy_session_team_id"), ["team_id"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("permalink", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["persona.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("persona_id", "source_key"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_persona_id"), ["persona_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_team_id"), ["team_id"], unique=False)

    op.create_table(
        "persona_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("editor_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["persona.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("persona_id", "version"),
    )
    with op.batch_alter_table("persona_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persona_revision_persona_id"), ["persona_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persona_revision_team_id"), ["team_id"], unique=False)

    op.create_table(
        "stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["journey.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "position"),
    )
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_journey_id"), ["journey_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stage_team_id"), ["team_id"], unique=False)

    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("quadrant", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["empathy_session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["stage.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "source_key"),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_team_id"), ["team_id"], unique=False)

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["empathy_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "user_id"),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_team_id"), ["team_id"], unique=False)

    op.create_table(
        "persona_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("touchpoints", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("emotion", sa.Integer(), nullable=False),
        sa.Column("pains", sa.JSON(), nullable=False),
        sa.Column("opportunities", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["persona.id"],
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["stage.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("persona_id", "stage_id"),
    )
    with op.batch_alter_table("persona_stage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persona_stage_persona_id"), ["persona_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persona_stage_stage_id"), ["stage_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persona_stage_team_id"), ["team_id"], unique=False)

    op.create_table(
        "vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["note.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["empathy_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("note_id", "user_id"),
    )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_note_id"), ["note_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_team_id"), ["team_id"], unique=False)


    op.create_table(
        "persona_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["persona.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("persona_id", "channel_id", "message_ts"),
    )
    with op.batch_alter_table("persona_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persona_card_persona_id"), ["persona_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persona_card_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("persona_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persona_card_team_id"))
        batch_op.drop_index(batch_op.f("ix_persona_card_persona_id"))

    op.drop_table("persona_card")
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_team_id"))
        batch_op.drop_index(batch_op.f("ix_vote_session_id"))
        batch_op.drop_index(batch_op.f("ix_vote_note_id"))

    op.drop_table("vote")
    with op.batch_alter_table("persona_stage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persona_stage_team_id"))
        batch_op.drop_index(batch_op.f("ix_persona_stage_stage_id"))
        batch_op.drop_index(batch_op.f("ix_persona_stage_persona_id"))

    op.drop_table("persona_stage")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_team_id"))
        batch_op.drop_index(batch_op.f("ix_participant_session_id"))

    op.drop_table("participant")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_team_id"))
        batch_op.drop_index(batch_op.f("ix_note_session_id"))

    op.drop_table("note")
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_team_id"))
        batch_op.drop_index(batch_op.f("ix_stage_journey_id"))

    op.drop_table("stage")
    with op.batch_alter_table("persona_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persona_revision_team_id"))
        batch_op.drop_index(batch_op.f("ix_persona_revision_persona_id"))

    op.drop_table("persona_revision")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_team_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_persona_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("empathy_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_empathy_session_team_id"))
        batch_op.drop_index("ix_empathy_session_due")
        batch_op.drop_index("ix_empathy_session_board")

    op.drop_table("empathy_session")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_team_id"))
        batch_op.drop_index("ix_review_state_due")
        batch_op.drop_index(batch_op.f("ix_review_owner_id"))

    op.drop_table("review")
    with op.batch_alter_table("processed_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_event_received_at"))

    op.drop_table("processed_event")
    with op.batch_alter_table("persona", schema=None) as batch_op:
        batch_op.drop_index("ix_persona_team_status")
        batch_op.drop_index(batch_op.f("ix_persona_team_id"))
        batch_op.drop_index(batch_op.f("ix_persona_owner_id"))

    op.drop_table("persona")
    with op.batch_alter_table("journey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journey_team_id"))
        batch_op.drop_index(batch_op.f("ix_journey_owner_id"))

    op.drop_table("journey")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_team_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_expires_at"))

    op.drop_table("conversation")
