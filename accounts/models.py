from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django_otp.models import Device

from practiceops.core.models import TimeStampedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def normalize_email(self, email: str | None) -> str:  # type: ignore[override]
        # E-mail addresses are compared case-insensitively and stored lower-case.
        return (email or "").strip().lower()

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("display_name", email.split("@")[0][:100] or "Admin")
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    email = models.EmailField(unique=True, max_length=254)
    display_name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        db_table = "users"
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="users_email_lowercase"
            ),
            models.CheckConstraint(
                condition=models.Q(display_name__length__gte=1), name="users_display_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class RecoveryCodeDevice(Device):
    """A staff member's one-time recovery codes, for a lost authenticator (django-otp device).

    django-otp's own static device stores its codes in clear text; these are stored as
    SHA-256 digests only (each code is 60 random bits, so a fast digest is enough) and each
    works once (``accounts.two_factor``).
    """

    class Meta:
        db_table = "staff_recovery_code_devices"

    def verify_token(self, token: str) -> bool:
        from accounts.two_factor import recovery_code_use

        return recovery_code_use(device=self, code=token)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "staff_recovery_codes"
        constraints = [
            models.UniqueConstraint(
                fields=["device", "code_hash"], name="staff_recovery_codes_unique_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk} ({'used' if self.used_at else 'unused'})"
