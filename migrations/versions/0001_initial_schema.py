"""Initial schema: crossings, sites, actors, control and status periods, sources,
events, users, revisions, seed marks and the data version.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 10:15:32.964837

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "actor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=False),
        sa.Column("short", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "state",
                "non_state",
                "coalition",
                name="actor_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("colour LIKE '#______'", name=op.f("ck_actor_colour_hex")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["actor.id"], name=op.f("fk_actor_parent_id_actor"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor")),
        sa.UniqueConstraint("slug", name=op.f("uq_actor_slug")),
    )
    op.create_table(
        "crossing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crossing")),
        sa.UniqueConstraint("slug", name=op.f("uq_crossing_slug")),
    )
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.execute("INSERT INTO data_version (id, version) VALUES (1, 0)")
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column(
            "precision",
            sa.Enum(
                "day", "month", "year", name="precision", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column(
            "confidence",
            sa.Enum(
                "high",
                "medium",
                "low",
                name="confidence",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("(lon IS NULL) = (lat IS NULL)", name=op.f("ck_event_point_complete")),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= date", name=op.f("ck_event_end_not_before_date")
        ),
        sa.CheckConstraint(
            "lon IS NULL OR (lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90)",
            name=op.f("ck_event_point_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint("slug", name=op.f("uq_event_slug")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_date"), ["date"], unique=False)

    op.create_table(
        "seed_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seed_mark")),
        sa.UniqueConstraint("kind", "key", name="kind_key"),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column(
            "published_precision",
            sa.Enum(
                "day",
                "month",
                "year",
                name="source_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("accessed", sa.Date(), nullable=True),
        sa.Column("archived_url", sa.String(length=2000), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("ref", name=op.f("uq_source_ref")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column(
            "role",
            sa.Enum("editor", "admin", name="role", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_table(
        "event_source",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_source_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_event_source_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("event_id", "source_id", name=op.f("pk_event_source")),
    )
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "create",
                "update",
                "delete",
                "revert",
                name="revision_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_revision_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revision_at"), ["at"], unique=False)
        batch_op.create_index("ix_revision_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_revision_site_id"), ["site_id"], unique=False)

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "crossing_side",
                "town",
                "garrison",
                "zone",
                name="site_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column(
            "location_precision",
            sa.Enum(
                "exact",
                "town",
                "approximate",
                name="location_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("location_note", sa.Text(), nullable=False),
        sa.Column("radius_km", sa.Float(), nullable=True),
        sa.Column("crossing_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("lat >= -90 AND lat <= 90", name=op.f("ck_site_lat_range")),
        sa.CheckConstraint("length(country) = 2", name=op.f("ck_site_country_iso2")),
        sa.CheckConstraint("lon >= -180 AND lon <= 180", name=op.f("ck_site_lon_range")),
        sa.CheckConstraint(
            "radius_km IS NULL OR radius_km > 0", name=op.f("ck_site_radius_positive")
        ),
        sa.ForeignKeyConstraint(
            ["crossing_id"],
            ["crossing.id"],
            name=op.f("fk_site_crossing_id_crossing"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("slug", name=op.f("uq_site_slug")),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_crossing_id"), ["crossing_id"], unique=False)

    op.create_table(
        "control_period",
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("contested", sa.Boolean(), nullable=False),
        sa.Column("challenger_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column(
            "start_precision",
            sa.Enum(
                "day",
                "month",
                "year",
                name="start_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "end_precision",
            sa.Enum(
                "day",
                "month",
                "year",
                name="end_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "confidence",
            sa.Enum(
                "high",
                "medium",
                "low",
                name="confidence",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "challenger_id IS NULL OR challenger_id <> actor_id",
            name=op.f("ck_control_period_challenger_not_actor"),
        ),
        sa.CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date > start_date",
            name=op.f("ck_control_period_end_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actor.id"],
            name=op.f("fk_control_period_actor_id_actor"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["challenger_id"],
            ["actor.id"],
            name=op.f("fk_control_period_challenger_id_actor"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_control_period_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_period")),
    )
    with op.batch_alter_table("control_period", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_control_period_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            "ix_control_period_site_start", ["site_id", "start_date"], unique=False
        )

    op.create_table(
        "event_site",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_site_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_event_site_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "site_id", name=op.f("pk_event_site")),
    )
    op.create_table(
        "status_period",
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                "restricted",
                "unknown",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column(
            "start_precision",
            sa.Enum(
                "day",
                "month",
                "year",
                name="start_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "end_precision",
            sa.Enum(
                "day",
                "month",
                "year",
                name="end_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "confidence",
            sa.Enum(
                "high",
                "medium",
                "low",
                name="confidence",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date > start_date",
            name=op.f("ck_status_period_end_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_status_period_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_period")),
    )
    with op.batch_alter_table("status_period", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_period_site_start", ["site_id", "start_date"], unique=False
        )

    op.create_table(
        "control_period_source",
        sa.Column("control_period_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["control_period_id"],
            ["control_period.id"],
            name=op.f("fk_control_period_source_control_period_id_control_period"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_control_period_source_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "control_period_id", "source_id", name=op.f("pk_control_period_source")
        ),
    )
    op.create_table(
        "status_period_source",
        sa.Column("status_period_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_status_period_source_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["status_period_id"],
            ["status_period.id"],
            name=op.f("fk_status_period_source_status_period_id_status_period"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "status_period_id", "source_id", name=op.f("pk_status_period_source")
        ),
    )


def downgrade():
    op.drop_table("status_period_source")
    op.drop_table("control_period_source")
    with op.batch_alter_table("status_period", schema=None) as batch_op:
        batch_op.drop_index("ix_status_period_site_start")

    op.drop_table("status_period")
    op.drop_table("event_site")
    with op.batch_alter_table("control_period", schema=None) as batch_op:
        batch_op.drop_index("ix_control_period_site_start")
        batch_op.drop_index(batch_op.f("ix_control_period_actor_id"))

    op.drop_table("control_period")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_crossing_id"))

    op.drop_table("site")
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_site_id"))
        batch_op.drop_index("ix_revision_entity")
        batch_op.drop_index(batch_op.f("ix_revision_at"))

    op.drop_table("revision")
    op.drop_table("event_source")
    op.drop_table("user")
    op.drop_table("source")
    op.drop_table("seed_mark")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_date"))

    op.drop_table("event")
    op.drop_table("data_version")
    op.drop_table("crossing")
    op.drop_table("actor")
