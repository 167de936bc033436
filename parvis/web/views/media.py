"""The media library: upload images and videos with their alt text, edit the text, archive, reuse.

Routes (appended by parvis/web/urls.py): media/ (list and upload), media/<pk>/ (edit the
description), media/<pk>/archive/ (archive or bring back).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from parvis.core.models import Membership
from parvis.core.permissions import Perm, PermissionDenied
from parvis.publishing.selectors import media_get, media_list
from parvis.publishing.services import CompositionError, media_archive, media_update, media_upload
from parvis.web.forms import MediaEditForm, MediaUploadForm
from parvis.web.views.base import found, member_view, refusal, render_page

TEMPLATE = "web/media.html"
PAGE_SIZE = 120


@require_http_methods(["GET", "POST"])
@member_view(Perm.VIEW_INBOX)
def media_library(request: HttpRequest, membership: Membership) -> HttpResponse:
    workspace = membership.workspace
    archived = request.GET.get("archived") == "1"
    status = 200
    problems: list[str] = []
    if request.method == "POST":
        form = MediaUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                item = media_upload(
                    membership=membership,
                    upload=form.cleaned_data["file"],
                    alt_text=form.cleaned_data["alt_text"],
                    title=form.cleaned_data["title"],
                )
            except PermissionDenied as exc:
                problems = [refusal(exc.perm)]
                status = 403
            except CompositionError as exc:
                problems = exc.problems
                status = 400
            else:
                if not item.alt_text:
                    messages.warning(request, _("File added. Write its description (alt text) before using it."))
                else:
                    messages.success(request, _("File added to the library."))
                return redirect("web:media_library")
        else:
            status = 400
    else:
        form = MediaUploadForm()
    context = {
        "form": form,
        "problems": problems,
        "items": list(media_list(workspace, archived=archived)[:PAGE_SIZE]),
        "archived": archived,
        "max_upload_bytes": settings.PARVIS_MAX_UPLOAD_BYTES,
    }
    return render_page(request, TEMPLATE, context, status=status)


@require_POST
@member_view(Perm.DRAFT)
def media_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = found(media_get, membership.workspace, pk)
    form = MediaEditForm(request.POST)
    if form.is_valid():
        try:
            media_update(
                membership=membership,
                item=item,
                alt_text=form.cleaned_data["alt_text"],
                title=form.cleaned_data["title"],
            )
        except CompositionError as exc:
            messages.error(request, " ".join(exc.problems))
        else:
            messages.success(request, _("Description saved."))
    return redirect("web:media_library")


@require_POST
@member_view(Perm.DRAFT)
def media_archive_view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = found(media_get, membership.workspace, pk)
    restore = request.POST.get("restore") == "1"
    media_archive(membership=membership, item=item, archived=not restore)
    messages.success(
        request, _("File back in the library.") if restore else _("File archived: posts that use it keep it.")
    )
    return redirect("web:media_library")


urlpatterns: list[URLPattern] = [
    path("media/", media_library, name="media_library"),
    path("media/<int:pk>/", media_edit, name="media_edit"),
    path("media/<int:pk>/archive/", media_archive_view, name="media_archive"),
]
