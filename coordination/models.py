"""Every model, imported in one place so Alembic and create_app() see the whole schema."""
from coordination.accounts.models import AccountToken, LoginAttempt, User  # noqa: F401
from coordination.actions.models import (  # noqa: F401
    ActionItem,
    EmailOptOut,
    FanOut,
    ImportBatch,
    ItemUpdate,
    Notification,
    ReminderLog,
)
from coordination.audit.models import AuditEntry  # noqa: F401
from coordination.documents.models import DocumentCounter, IssuedDocument, Letterhead  # noqa: F401
from coordination.groups.models import GroupMembership, WorkingGroup  # noqa: F401
from coordination.mail import QueuedMail  # noqa: F401
from coordination.meetings.models import (  # noqa: F401
    AgendaItem,
    Conclusion,
    Meeting,
    MinutesComment,
    MinutesVersion,
    Participant,
    RegisterCounter,
    meeting_organiser,
)
from coordination.organisations.models import Organisation, Region, association_membership  # noqa: F401
from coordination.points.decision_models import NetworkDecision  # noqa: F401
from coordination.points.models import (  # noqa: F401
    HostingRequest,
    Programme,
    ProgrammeTarget,
    RequestComment,
    ServicePoint,
    VisitCorrection,
    VisitReport,
    VisitTopic,
    VisitUpload,
)
from coordination.search.models import SearchDocument  # noqa: F401
from coordination.stewards.models import (  # noqa: F401
    ActFile,
    Appointment,
    Dataset,
    NominationRequest,
    Training,
)
