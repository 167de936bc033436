from __future__ import annotations

import factory

from parvis.core.tests.factories import WorkspaceFactory
from parvis.publishing.models import MediaItem

# The smallest valid PNG: 1 x 1 transparent pixel.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class MediaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaItem

    workspace = factory.SubFactory(WorkspaceFactory)
    file = factory.django.FileField(filename="affiche.png", data=PIXEL_PNG)
    mime_type = "image/png"
    size = len(PIXEL_PNG)
    alt_text = "L'affiche du salon des entreprises"
