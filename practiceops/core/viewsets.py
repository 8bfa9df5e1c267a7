"""The API's ViewSet bases and router (STYLE.md: plain ViewSets, routers without trailing slash).

``ScopedViewSet`` is the pattern that makes tenant scoping hard to forget: a route whose URL
names a scope object (a team, a cycle, a ticket, …) has that object looked up together with the
caller's membership in ``initial()``, after authentication and before any action runs. The
lookup itself (404 for an unknown id, 403 for a caller outside the team) belongs to the app that
owns the object; the role rules are DRF permission classes (``teams/api/permissions.py``) that
read the resolved membership and ask ``teams/access.py``, the one place that ranks roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import ViewSet

F = TypeVar("F", bound=Callable[..., Any])


def requires(*classes: type[BasePermission]) -> Callable[[F], F]:
    """Declare who may call a standard action (``list``, ``retrieve``, ``partial_update``, …):
    ``@requires(IsTeamAdmin)``. An extra action says ``@action(permission_classes=[…])``."""

    def decorate(func: F) -> F:
        func.permission_classes = list(classes)  # type: ignore[attr-defined]
        return func

    return decorate


def api_router() -> SimpleRouter:
    """A router whose paths read like ``path()`` strings: no trailing slash, ``<str:…>`` ids.

    Prefixes may carry converters themselves (``teams/<str:team_id>/members``), which is how a
    collection nested under a team or a cycle is registered.
    """
    return SimpleRouter(trailing_slash=False, use_regex_path=False)


class ApiViewSet(ViewSet):
    """A plain ViewSet: explicit actions, writes through services, no model machinery."""

    # Ids are matched like <str:…>: invite tokens and signed links may hold characters ("."
    # among them) that the router's default lookup pattern would refuse.
    lookup_value_converter = "str"

    def get_permissions(self) -> list[BasePermission]:
        """The action's own permission classes, declared next to it, else the ViewSet's.

        A standard action declares its classes with ``@requires(...)``; an extra action with
        ``@action(permission_classes=[...])``, honoured here too when the action is mapped with
        an explicit ``as_view({...})`` rather than by a router.
        """
        if self.action is None:
            # A wrong method on a known route: 405 whoever asks, before any lookup or role.
            return []
        handler = getattr(self, self.action, None)
        declared = getattr(handler, "permission_classes", None)
        if declared is None:
            # An @action's own kwargs: the router applies them, an explicit as_view() does not.
            declared = getattr(handler, "kwargs", {}).get("permission_classes")
        if declared is not None:
            return [permission() for permission in declared]
        return super().get_permissions()


class ScopedViewSet(ApiViewSet):
    """A ViewSet whose routes name their scope in the URL (``scope_kwarg``).

    Subclasses implement ``resolve_scope`` (one lookup: the object and the caller's membership,
    raising 404/403 as the owning app decides). ``initial()`` resolves it once per request for
    every route that carries ``scope_kwarg``, except the actions named in ``unscoped_actions``
    (public ones, where the URL's secret rather than a membership is the credential); a
    permission class that needs the membership earlier reads ``get_scope()``, which memoises, so
    the lookup runs once whichever asks first. Actions read ``self.scope_object`` and
    ``self.membership``.
    """

    scope_kwarg: ClassVar[str]
    unscoped_actions: ClassVar[frozenset[str]] = frozenset()
    _scope: tuple[Any, Any] | None = None

    def resolve_scope(self, request: Request, value: str) -> tuple[Any, Any]:
        raise NotImplementedError

    def is_scoped(self) -> bool:
        return (
            self.action is not None
            and self.scope_kwarg in self.kwargs
            and self.action not in self.unscoped_actions
        )

    def get_scope(self) -> tuple[Any, Any]:
        if self._scope is None:
            self._scope = self.resolve_scope(self.request, self.kwargs[self.scope_kwarg])
        return self._scope

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Authentication, then the permission classes (which may resolve the scope), then
        # throttles; whatever the permission classes asked, the scope is resolved before the
        # action runs.
        super().initial(request, *args, **kwargs)
        if self.is_scoped():
            self.get_scope()

    @property
    def scope_object(self) -> Any:
        return self.get_scope()[0]

    @property
    def membership(self) -> Any:
        return self.get_scope()[1]
