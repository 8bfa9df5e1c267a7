from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from notifications import links, selectors, services
from notifications.api.serializers import (
    JobListOutput,
    JobRunEnvelope,
    JobRunPageOutput,
    NotificationPageOutput,
    PreferencesInput,
    PreferencesOutput,
    UnsubscribeOutput,
    job_run_output,
    last_run_output,
)
from notifications.jobs import JOBS, job_get
from notifications.kinds import kind_get
from notifications.models import JobRun, JobStatus, JobTrigger, NotificationPreference
from notifications.runner import job_run_start
from notifications.schedules import describe
from practiceops.core.errors import NotFound
from practiceops.core.pagination import paginate
from practiceops.core.params import parse_uuid, query_choice
from practiceops.core.permissions import IsStaff
from practiceops.core.viewsets import ApiViewSet
from teams.api.viewsets import TeamScopedViewSet
from teams.models import Team

# --- Notification preferences --------------------------------------------------------------


class NotificationPreferenceViewSet(TeamScopedViewSet):
    """``teams/{team_id}/notification-preferences``: the caller's own, for this team.

    One object per caller and team, at the collection's path: routed with an explicit
    ``as_view`` mapping (a router maps PATCH/PUT on detail routes only).
    """

    @extend_schema(responses=PreferencesOutput)
    def retrieve(self, request: Request, team_id: str) -> Response:
        return Response(selectors.preference_get_for_user(user=request.user, team=self.team))

    @extend_schema(request=PreferencesInput, responses=PreferencesOutput)
    def partial_update(self, request: Request, team_id: str) -> Response:
        data = PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.preference_update(
            user=request.user, team=self.team, changes=dict(data.validated_data)
        )
        return Response(selectors.preference_get_for_user(user=request.user, team=self.team))

    # Existing clients save the same partial body with PUT.
    @extend_schema(request=PreferencesInput, responses=PreferencesOutput)
    def update(self, request: Request, team_id: str) -> Response:
        return self.partial_update(request, team_id)


class NotificationViewSet(TeamScopedViewSet):
    """``teams/{team_id}/notifications``: the e-mails sent to the caller for this team."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("cursor", str)],
        responses=NotificationPageOutput,
    )
    def list(self, request: Request, team_id: str) -> Response:
        page = paginate(
            request.query_params,
            selectors.email_delivery_list_for_user(user=request.user, team=self.team),
            ("-created_at", "-id"),
            lambda rows: [dict(row) for row in rows],
        )
        return Response(page)


# --- One-click unsubscribe -----------------------------------------------------------------

_INVALID_LINK = "Unsubscribe link is invalid"


def _unsubscribe_state(token: str) -> tuple[Any, Team, Any | None, str]:
    target = links.unsubscribe_parse(token)
    if target is None:
        raise NotFound(_INVALID_LINK)
    team = Team.objects.filter(pk=target.team_id).first()
    if team is None:
        raise NotFound(_INVALID_LINK)
    user_model = get_user_model()
    if target.user_id is not None:
        user = user_model.objects.filter(pk=target.user_id).first()
        if user is None:
            raise NotFound(_INVALID_LINK)
    else:
        # An invitation to an address: it may have become an account since.
        user = (
            user_model.objects.filter(email=target.email.lower()).first() if target.email else None
        )
    return target, team, user, kind_get(target.kind).unsubscribe_setting


def _unsubscribe_body(
    target: Any, team: Team, user: Any | None, setting: str, applied: bool
) -> dict[str, Any]:
    what = "the weekly digest" if setting == "weekly_digest_enabled" else "e-mail"
    if user is None:
        return {
            "email": target.email,
            "team_id": team.id,
            "team_name": team.name,
            "kind": target.kind,
            "setting": None,
            "enabled": None,
            "unsubscribed": False,
            "message": f"{target.email} has no PracticeOps account: {team.name} e-mails it only when an admin sends an invitation.",
        }
    enabled = (
        NotificationPreference.objects.filter(user=user, team=team)
        .values_list(setting, flat=True)
        .first()
    )
    if enabled is None:
        enabled = True
    if applied:
        message = f"{user.email} will no longer receive {what} from {team.name}."
    elif enabled:
        message = f"Confirm (POST) to stop {what} from {team.name} to {user.email}."
    else:
        message = f"{user.email} already receives no {what} from {team.name}."
    return {
        "email": user.email,
        "team_id": team.id,
        "team_name": team.name,
        "kind": target.kind,
        "setting": setting,
        "enabled": enabled,
        "unsubscribed": not enabled,
        "message": message,
    }


class UnsubscribeViewSet(ApiViewSet):
    """GET shows what the link would turn off; POST (RFC 8058 one-click) turns it off.

    POST ignores its body: mail providers send ``List-Unsubscribe=One-Click`` form-encoded.
    Public: the signed token is the credential. POST on a detail path is not a router route, so
    the mapping is explicit in urls.py.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=UnsubscribeOutput, auth=[])
    def retrieve(self, request: Request, signed_token: str) -> Response:
        """GET shows what the link would turn off; POST (RFC 8058 one-click) turns it off.

        POST ignores its body: mail providers send ``List-Unsubscribe=One-Click`` form-encoded.
        """
        target, team, user, setting = _unsubscribe_state(signed_token)
        return Response(_unsubscribe_body(target, team, user, setting, applied=False))

    @extend_schema(request=None, responses=UnsubscribeOutput, auth=[])
    def confirm(self, request: Request, signed_token: str) -> Response:
        """GET shows what the link would turn off; POST (RFC 8058 one-click) turns it off.

        POST ignores its body: mail providers send ``List-Unsubscribe=One-Click`` form-encoded.
        """
        target, team, user, setting = _unsubscribe_state(signed_token)
        if user is not None:
            services.preference_unsubscribe(user=user, team=team, kind=target.kind)
        return Response(_unsubscribe_body(target, team, user, setting, applied=user is not None))


# --- Admin jobs ----------------------------------------------------------------------------


class JobViewSet(ApiViewSet):
    """``admin/jobs``: the scheduled jobs, and running one now (staff only)."""

    lookup_url_kwarg = "name"
    permission_classes = [IsStaff]

    @extend_schema(responses=JobListOutput)
    def list(self, request: Request) -> Response:
        from django_celery_beat.models import PeriodicTask

        now = timezone.now()
        names = list(JOBS)
        tasks = {
            task.name: task
            for task in PeriodicTask.objects.filter(name__in=names).select_related(
                "crontab", "interval"
            )
        }
        last_runs = selectors.job_run_latest_by_name(names)
        jobs = [
            {
                "name": job.name,
                "description": job.description,
                **describe(tasks.get(job.name), now),
                "last_run": last_run_output(last_runs.get(job.name)),
            }
            for job in JOBS.values()
        ]
        return Response({"jobs": jobs})

    @extend_schema(request=None, responses={202: JobRunEnvelope})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, name: str) -> Response:
        if job_get(name) is None:
            raise NotFound(f"Unknown job: {name}")
        _, snapshot = job_run_start(
            job_name=name,
            trigger=JobTrigger.MANUAL,
            requested_by=request.user,
            request_id=getattr(request._request, "request_id", None),  # noqa: SLF001
        )
        return Response({"run": snapshot}, status=status.HTTP_202_ACCEPTED)


class JobRunViewSet(ApiViewSet):
    """``admin/jobs/runs``: the run history (staff only)."""

    lookup_url_kwarg = "run_id"
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("job_name", str, enum=list(JOBS)),
            OpenApiParameter("status", str, enum=JobStatus.values),
            OpenApiParameter("limit", int),
            OpenApiParameter("cursor", str),
        ],
        responses=JobRunPageOutput,
        operation_id="admin_jobs_runs_list",
    )
    def list(self, request: Request) -> Response:
        params = request.query_params
        runs = selectors.job_run_list(
            job_name=query_choice(params, "job_name", JOBS),
            status=query_choice(params, "status", JobStatus.values),
        )
        page = paginate(
            params, runs, ("-created_at", "-id"), lambda rows: [job_run_output(run) for run in rows]
        )
        return Response(page)

    @extend_schema(responses=JobRunEnvelope, operation_id="admin_jobs_runs_retrieve")
    def retrieve(self, request: Request, run_id: str) -> Response:
        run = JobRun.objects.filter(pk=parse_uuid(run_id, field="run_id")).first()
        if run is None:
            raise NotFound("Job run not found")
        return Response({"run": job_run_output(run)})
