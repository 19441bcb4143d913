"""Sign in and out, own password, language, and account administration."""
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

import coordination.accounts.audit_words  # noqa: F401  (registers how the audit log words its records)
from coordination.accounts import invitations, services
from coordination.accounts import permissions as perm
from coordination.accounts.forms import (
    ActiveForm,
    ChoosePasswordForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    PasswordChangeForm,
    UserForm,
)
from coordination.accounts.models import TokenPurpose, User
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
    """Invite a person: the account exists at once, the password is theirs to choose."""
    form = InviteForm(organisations=all_organisations())
    if form.validate_on_submit():
        user, sent = invitations.invite(email=form.email.data, name=form.name.data, role=Role(form.role.data),
                                        organisation_id=form.organisation_id.data, language=form.language.data)
        if sent:
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
        else:
            flash(_("The account %(email)s exists, but the invitation could not be sent. "
                    "Send a new link when the mail server is back.", email=user.email), "error")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render("accounts/user_form.html", form=form, user=None,
                  status=422 if request.method == "POST" else 200)


def _user_page(user: User, form=None, active_form=None, status: int = 200):
    form = form or UserForm(obj=user, user_id=user.id, organisations=all_organisations())
    return render("accounts/user_form.html", form=form, user=user, active_form=active_form or ActiveForm(),
                  status=status)


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
    return _user_page(user, form, status=422 if request.method == "POST" else 200)


@bp.route("/uporabniki/<int:user_id>/ponastavitev", methods=["POST"])
@guard(perm.can_manage_accounts)
def send_reset_link(user_id: int):
    """The administrator's way to help with a password: a link to the person, never a password."""
    user = _user_or_404(user_id)
    if not user.active:
        abort(409, description=_("The account is deactivated; activate it first."))
    if invitations.send_link(user, TokenPurpose.RESET):
        flash(_("A link to choose a new password has been sent to %(email)s.", email=user.email), "success")
    else:
        flash(_("The e-mail to %(email)s could not be sent. Try again later.", email=user.email), "error")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.route("/uporabniki/<int:user_id>/aktiven", methods=["POST"])
@guard(perm.can_manage_accounts)
def set_user_active(user_id: int):
    user = _user_or_404(user_id)
    require(perm.can_deactivate, user)
    form = ActiveForm()
    if not form.validate_on_submit():
        return _user_page(user, active_form=form, status=422)
    services.set_active(user, form.active.data)
    flash(_("Account activated.") if user.active else _("Account deactivated."), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


# --- links by e-mail: invitation, forgotten password ---------------------------------------

@bp.route("/geslo/pozabljeno", methods=["GET", "POST"])
@public
def forgot_password():
    """The same answer for every address, known or not: nothing tells whether an account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        verdict = invitations.request_reset(form.email.data, request.remote_addr)
        if not verdict.allowed:
            response = render("accounts/forgot_password.html", form=form, status=429,
                              error=_("Too many requests. Try again in %(n)d s.", n=verdict.wait_seconds))
            response[2]["Retry-After"] = str(verdict.wait_seconds)
            return response
        return render("accounts/forgot_password.html", form=None, email=form.email.data, status=200)
    return render("accounts/forgot_password.html", form=form, status=422 if request.method == "POST" else 200)


def _choose_password(token: str, purpose: TokenPurpose):
    checked = invitations.check(token, purpose)
    if not checked.valid:
        return _link_problem(checked, purpose)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        checked = invitations.choose_password(token, purpose, form.password.data)
        if not checked.valid:
            return _link_problem(checked, purpose)
        flash(_("Your password has been set. Sign in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render("accounts/choose_password.html", form=form, user=checked.link.user, purpose=purpose,
                  status=422 if request.method == "POST" else 200)


def _link_problem(checked, purpose: TokenPurpose):
    """An unknown (400), expired or used (410) link: a page that says so, and nothing changes."""
    status = 400 if checked.problem == "unknown" else 410
    return render("accounts/link_invalid.html", problem=checked.problem, purpose=purpose, status=status)


@bp.route("/povabilo/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    return _choose_password(token, TokenPurpose.INVITATION)


@bp.route("/geslo/ponastavi/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _choose_password(token, TokenPurpose.RESET)
