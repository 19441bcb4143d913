"""In-app notifications (what each says, a fan-out's status changes grouped) and the e-mail settings
(a switch per kind of event and the daily digest); e-mail about items' and minutes' events."""
