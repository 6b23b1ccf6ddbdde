"""LINE linking: staff issue a link code on the resident's page; LINE calls the webhook."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from thukkhon.core.actor import request_actor
from thukkhon.people import line
from thukkhon.people.access import access_resident

log = logging.getLogger(__name__)


@login_required
@require_POST
def line_code_create(request: HttpRequest, resident_id: int) -> HttpResponse:
    actor = request_actor(request)
    resident = access_resident(actor, resident_id)
    assert actor is not None
    if not line.can_manage_links(actor):
        raise Http404
    try:
        row = line.line_code_issue(actor=actor, resident=resident)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("LINE link code %(code)s was created.") % {"code": row.code})
    return redirect(f"{reverse('people:resident-detail', args=[resident.pk])}#h-links")


@csrf_exempt  # LINE signs its requests (X-Line-Signature) instead; no browser session is involved
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    try:
        result = line.handle_webhook(request.body, request.headers.get("X-Line-Signature", ""))
    except line.InvalidSignature as exc:
        log.warning("LINE webhook refused: %s", exc)
        return HttpResponseBadRequest("invalid signature")
    log.info("LINE webhook: %s", ", ".join(result.outcomes) or "no events")
    return HttpResponse("OK", content_type="text/plain")
