from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # practice cannot import tickets (imports point one way), so tickets hands it the
        # function that turns a practice log's ticket_ids into visible tickets of the team,
        # and the visibility rule that filters the tickets shown on a log to each reader.
        from practice.links import register_ticket_resolver, register_ticket_visibility
        from tickets.selectors import tickets_for_practice_log
        from tickets.visibility import visible_tickets_q

        register_ticket_resolver(tickets_for_practice_log)
        register_ticket_visibility(visible_tickets_q)
