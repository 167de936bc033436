from django.contrib import admin

from parvis.core.models import AuditEntry, Membership, Voice, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin[Workspace]):
    list_display = ["name", "slug", "timezone"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["workspace", "user", "role"]


@admin.register(Voice)
class VoiceAdmin(admin.ModelAdmin[Voice]):
    list_display = ["name", "workspace", "kind"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ["created_at", "workspace", "actor", "verb", "target_type", "target_id"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
