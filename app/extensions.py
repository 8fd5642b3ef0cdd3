"""Flask extensions, created once here and bound to an app in the factory."""

from collections.abc import Callable
from typing import ClassVar

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the shared naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, with a hook that may send a statement elsewhere: a
    request pinned to a past revision reads the record from its snapshot (app.db.known)."""

    #: (session, mapper, clause) -> the engine to use, or None for the usual one.
    route: ClassVar[Callable | None] = None

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and Session.route is not None:
            engine = Session.route(self, mapper, clause)
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out of autogenerate what the models do not describe: PostGIS's own tables
    and the PostgreSQL-only interval indexes/constraints (named pgx_*) of migration 0002."""
    if reflected and compare_to is None and (type_ == "table" or (name or "").startswith("pgx_")):
        return False
    return True
