"""Blueprint "editor": forms that change the record; every page needs sign-in."""

from flask import Blueprint
from flask_login import current_user

from app.extensions import login_manager

bp = Blueprint("editor", __name__, url_prefix="/editor")


@bp.before_request
def _require_sign_in():
    """Every editor page, read or write, is for signed-in editors only."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


from app.web.editor import verify, views  # noqa: E402,F401  (registers the routes)
