from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

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
from practiceops.core.errors import Forbidden, NotFound
from practiceops.core.pagination import paginate
from practiceops.core.params import parse_uuid, query_choice
from teams.access import team_and_membership
from teams.models import Team

STAFF_REQUIRED = "Staff access required"


# --- Notification preferences --------------------------------------------------------------


class NotificationPreferencesView(APIView):
    @extend_schema(responses=PreferencesOutput)
    def get(self, request: Request, team_id: str) -> Response:
        team, _ = team_and_membership(request.user, team_id)
        return Response(selectors.preference_get_for_user(user=request.user, team=team))

    @extend_schema(request=PreferencesInput, responses=PreferencesOutput)
    def patch(self, request: Request, team_id: str) -> Response:
        team, _ = team_and_membership(request.user, team_id)
        data = PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.preference_update(user=request.user, team=team, changes=dict(data.validated_data))
        return Response(selectors.preference_get_for_user(user=request.user, team=team))

    # Existing clients save the same partial body with PUT.
    @extend_schema(request=PreferencesInput, responses=PreferencesOutput)
    def put(self, request: Request, team_id: str) -> Response:
        return self.patch(request, team_id)


class NotificationListView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("cursor", str)],
        responses=NotificationPageOutput,
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, _ = team_and_membership(request.user, team_id)
        page = paginate(
            request.query_params,
            selectors.email_delivery_list_for_user(user=request.user, team=team),
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


class UnsubscribeView(APIView):
    """GET shows what the link would turn off; POST (RFC 8058 one-click) turns it off.

    POST ignores its body: mail providers send ``List-Unsubscribe=One-Click`` form-encoded.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=UnsubscribeOutput, auth=[])
    def get(self, request: Request, signed_token: str) -> Response:
        target, team, user, setting = _unsubscribe_state(signed_token)
        return Response(_unsubscribe_body(target, team, user, setting, applied=False))

    @extend_schema(request=None, responses=UnsubscribeOutput, auth=[])
    def post(self, request: Request, signed_token: str) -> Response:
        target, team, user, setting = _unsubscribe_state(signed_token)
        if user is not None:
            services.preference_unsubscribe(user=user, team=team, kind=target.kind)
        return Response(_unsubscribe_body(target, team, user, setting, applied=user is not None))


# --- Admin jobs ----------------------------------------------------------------------------


class IsStaff(BasePermission):
    """Only ``is_staff`` users; a team ADMIN is not staff (the first PracticeOps let them in)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if not request.user.is_staff:
            raise Forbidden(STAFF_REQUIRED)
        return True


class JobListView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=JobListOutput)
    def get(self, request: Request) -> Response:
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


class JobRunStartView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=None, responses={202: JobRunEnvelope})
    def post(self, request: Request, name: str) -> Response:
        if job_get(name) is None:
            raise NotFound(f"Unknown job: {name}")
        _, snapshot = job_run_start(
            job_name=name,
            trigger=JobTrigger.MANUAL,
            requested_by=request.user,
            request_id=getattr(request._request, "request_id", None),  # noqa: SLF001
        )
        return Response({"run": snapshot}, status=status.HTTP_202_ACCEPTED)


class JobRunListView(APIView):
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
    def get(self, request: Request) -> Response:
        params = request.query_params
        runs = selectors.job_run_list(
            job_name=query_choice(params, "job_name", JOBS),
            status=query_choice(params, "status", JobStatus.values),
        )
        page = paginate(
            params, runs, ("-created_at", "-id"), lambda rows: [job_run_output(run) for run in rows]
        )
        return Response(page)


class JobRunDetailView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=JobRunEnvelope, operation_id="admin_jobs_runs_retrieve")
    def get(self, request: Request, run_id: str) -> Response:
        run = JobRun.objects.filter(pk=parse_uuid(run_id, field="run_id")).first()
        if run is None:
            raise NotFound("Job run not found")
        return Response({"run": job_run_output(run)})
