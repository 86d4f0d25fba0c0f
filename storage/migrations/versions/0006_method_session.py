"""method session: stored agenda, silent or live notes, grouping, success, heard or guessed notes

Revision ID: 0006
Revises: 0003

Sessions that exist already keep running as they started: their agenda is written out with the
formula they were planned with (the code's agenda changed: a Group phase, capped phases), and they
keep the live board (notes and votes visible as they come) they were started with.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_CANVASES = {
    "classic": ("says", "thinks", "does", "feels", "pains", "gains"),
    "updated": ("sees", "says", "does", "hears", "thinks", "feels", "pains", "gains"),
}


def old_agenda(canvas: str, minutes: int) -> list[dict]:
    """The plan before 0006 (frozen here): intro and vote a sixth each, wrap-up a fifteenth."""
    total = minutes * 60
    intro = vote = total // 6
    wrapup = total // 15
    sections = OLD_CANVASES.get(canvas, OLD_CANVASES["classic"])
    each = (total - intro - vote - wrapup) // len(sections)
    return [{"key": "intro", "kind": "intro", "seconds": intro, "areas": []},
            *({"key": key, "kind": "section", "seconds": each, "areas": [key]} for key in sections),
            {"key": "vote", "kind": "vote", "seconds": vote, "areas": []},
            {"key": "wrapup", "kind": "wrapup", "seconds": wrapup, "areas": []}]


def upgrade() -> None:
    """Plain ADD COLUMNs (with their foreign key inline): SQLite adds them in place, where a batch
    would copy `empathy_session` and `note`, which notes and votes reference, and fail on a
    database with sessions in it. Server defaults fill the rows there are; PostgreSQL drops them
    after, SQLite keeps them (removing one means copying the table)."""
    op.add_column("empathy_session", sa.Column("agenda", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("empathy_session", sa.Column("live_notes", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("empathy_session", sa.Column("open_grouping", sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    op.add_column("empathy_session", sa.Column("success", sa.Text(), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "sqlite":  # alembic would add the constraint apart, which SQLite cannot
        op.execute("ALTER TABLE note ADD COLUMN merged_into_id INTEGER REFERENCES note (id)")
    else:
        op.add_column("note", sa.Column("merged_into_id", sa.Integer(), sa.ForeignKey("note.id"), nullable=True))
    op.add_column("note", sa.Column("basis", sa.String(), nullable=False, server_default="unmarked"))
    op.add_column("note", sa.Column("heard_from", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                    server_default=""))
    op.create_index(op.f("ix_note_merged_into_id"), "note", ["merged_into_id"], unique=False)
    sessions = sa.table("empathy_session", sa.column("id", sa.Integer()), sa.column("canvas", sa.String()),
                        sa.column("duration_minutes", sa.Integer()), sa.column("agenda", sa.JSON()))
    connection = op.get_bind()
    for row_id, canvas, minutes in connection.execute(
            sa.select(sessions.c.id, sessions.c.canvas, sessions.c.duration_minutes)).all():
        connection.execute(sessions.update().where(sessions.c.id == row_id)
                           .values(agenda=old_agenda(canvas, minutes)))
    if connection.dialect.name != "sqlite":
        for table, columns in (("empathy_session", ("agenda", "live_notes", "open_grouping", "success")),
                               ("note", ("basis", "heard_from"))):
            for column in columns:
                op.alter_column(table, column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_merged_into_id"))
        for column in ("heard_from", "basis", "merged_into_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("empathy_session", schema=None) as batch_op:
        for column in ("success", "open_grouping", "live_notes", "agenda"):
            batch_op.drop_column(column)
