"""Sign in and out, own password, language, and account administration."""
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

import coordination.accounts.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination.accounts import permissions as perm
from coordination.accounts import services
from coordination.accounts.forms import (
    ActiveForm,
    LoginForm,
    NewUserForm,
    PasswordChangeForm,
    SetPasswordForm,
    UserForm,
)
from coordination.accounts.models import User
from coordination.extensions import db
from coordination.organisations.services import all_organisations
from coordination.roles import ROLE_LABELS, Role
from coordination.web.authz import guard, public, require
from coordination.web.formatting import sl_order
from coordination.web.htmx import render
from coordination.web.navigation import safe_next
from coordination.web.pagination import paginate
from coordination.web.sections import adds_to

bp = Blueprint("accounts", __name__)

LOGIN_ERRORS = {
    "credentials": (401, lambda r: _("Wrong e-mail or password.")),
    "throttled": (429, lambda r: _("Too many failed attempts. Try again in %(n)d s.", n=r.wait_seconds)),
    "locked": (429, lambda r: _("Too many failed attempts: sign-in is locked for %(n)d min.",
                                n=-(-r.wait_seconds // 60))),
}


@bp.route("/prijava", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status, error = 200, None
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        if result.user:
            login_user(result.user)
            session.permanent = True
            if result.user.language:
                session["lang"] = result.user.language
            return redirect(safe_next(request.args.get("next")))
        status, message = LOGIN_ERRORS[result.error]
        error = message(result)
    elif request.method == "POST":
        status = 422
    response = render("accounts/login.html", form=form, error=error, status=status)
    if status == 429:
        response[2]["Retry-After"] = str(result.wait_seconds)
    return response


@bp.route("/odjava", methods=["POST"])
@guard(perm.signed_in)
def logout():
    services.sign_out(current_user)
    logout_user()  # the chosen language stays in the session on purpose
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/geslo", methods=["GET", "POST"])
@guard(perm.can_change_own_password)
def change_password():
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        if services.change_own_password(current_user, form.current.data, form.new.data):
            login_user(current_user._get_current_object())  # the session version moved on
            flash(_("Your password has been changed. Other sessions have been signed out."), "success")
            return redirect(url_for("dashboard.index"))
        form.current.errors.append(_("The current password is not correct."))
        status = 422
    elif request.method == "POST":
        status = 422
    return render("accounts/password.html", form=form, status=status)


@bp.route("/jezik", methods=["POST"])
@public
def set_language():
    code = request.form.get("lang", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(400, description=_("Unknown language. Choose Slovenian or English."))
    session["lang"] = code
    if current_user.is_authenticated:
        services.set_language(current_user, code)
    return redirect(safe_next(request.form.get("next")))


@adds_to("organisations.detail")
def _people(org) -> dict:
    """An organisation's people, for its page."""
    return {"users": list(db.session.scalars(
        select(User).where(User.organisation_id == org.id).order_by(sl_order(User.name))))}


# --- administration -------------------------------------------------------------------------

def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/uporabniki")
@guard(perm.can_manage_accounts)
def users():
    text = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    query = select(User)
    if text:
        like = f"%{text}%"
        query = query.where(User.name.ilike(like) | User.email.ilike(like))
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    page = paginate(query.order_by(sl_order(User.name), User.id), per_page=50)
    return render("accounts/users.html", "accounts/_users_table.html", page=page, text=text, role=role,
                  role_labels=ROLE_LABELS)


@bp.route("/uporabniki/nov", methods=["GET", "POST"])
@guard(perm.can_manage_accounts)
def create_user():
    form = NewUserForm(organisations=all_organisations())
    if form.validate_on_submit():
        user = services.create_user(email=form.email.data, name=form.name.data, role=Role(form.role.data),
                                    organisation_id=form.organisation_id.data, password=form.password.data)
        flash(_("Account %(email)s created.", email=user.email), "success")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render("accounts/user_form.html", form=form, user=None,
                  status=422 if request.method == "POST" else 200)


@bp.route("/uporabniki/<int:user_id>", methods=["GET", "POST"])
@guard(perm.can_manage_accounts)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user, user_id=user.id, organisations=all_organisations())
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        services.update_user(user, email=form.email.data, name=form.name.data, role=Role(form.role.data),
                             organisation_id=form.organisation_id.data)
        flash(_("Changes saved."), "success")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render("accounts/user_form.html", form=form, user=user, password_form=SetPasswordForm(),
                  active_form=ActiveForm(), status=422 if request.method == "POST" else 200)


@bp.route("/uporabniki/<int:user_id>/geslo", methods=["POST"])
@guard(perm.can_manage_accounts)
def set_user_password(user_id: int):
    user = _user_or_404(user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        flash(_("The password of %(email)s has been set; their other sessions have ended.", email=user.email),
              "success")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render("accounts/user_form.html", form=UserForm(obj=user, user_id=user.id,
                  organisations=all_organisations()), user=user, password_form=form, active_form=ActiveForm(),
                  status=422)


@bp.route("/uporabniki/<int:user_id>/aktiven", methods=["POST"])
@guard(perm.can_manage_accounts)
def set_user_active(user_id: int):
    user = _user_or_404(user_id)
    require(perm.can_deactivate, user)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_active(user, form.active.data)
    flash(_("Account activated.") if user.active else _("Account deactivated."), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))
