"""The infectious-disease protocol: the Thai Ministry of Public Health's COVID-19 body-handling steps
as the seed of a configurable template (each municipality can edit its copy in the admin)."""

from __future__ import annotations

from django.db import transaction

from thukkhon.core.models import Municipality
from thukkhon.funerals.models import Disease, ProtocolTemplate, ProtocolTemplateStep

MOPH_COVID19_CODE = "moph-covid19"
MOPH_COVID19_NAME = "แนวทางการจัดการศพผู้เสียชีวิตจากโรคโควิด-19 (กระทรวงสาธารณสุข)"
MOPH_COVID19_SOURCE = "กรมการแพทย์ กระทรวงสาธารณสุข: แนวทางการจัดการศพผู้ติดเชื้อโควิด-19"

# (Thai, English, mandatory)
MOPH_COVID19_STEPS: tuple[tuple[str, str, bool], ...] = (
    (
        "เจ้าหน้าที่ผู้จัดการศพสวมอุปกรณ์ป้องกันส่วนบุคคล (PPE) ครบชุด",
        "Handlers wear full personal protective equipment (PPE)",
        True,
    ),
    (
        "ไม่อาบน้ำ ไม่รดน้ำศพ และไม่ฉีดสารรักษาสภาพศพ",
        "No bathing, no water-pouring rite and no embalming",
        True,
    ),
    (
        "บรรจุศพในถุงซิปกันน้ำสองชั้น ติดป้ายระบุชื่อและโรค",
        "Body placed in two sealed waterproof zip bags, labelled with name and disease",
        True,
    ),
    (
        "ทำลายเชื้อพื้นผิวด้านนอกของถุงศพด้วยน้ำยาฆ่าเชื้อ",
        "Outer surface of the bag disinfected",
        True,
    ),
    (
        "ห้ามเปิดถุงศพและโลงศพ ญาติไม่สัมผัสศพ",
        "Bag and coffin never opened; relatives do not touch the body",
        True,
    ),
    (
        "ทำความสะอาดรถเคลื่อนย้ายศพ (รถปิดทึบ) ก่อนเคลื่อนย้าย",
        "Enclosed transport vehicle cleaned before the transport",
        True,
    ),
    (
        "ทำความสะอาดรถเคลื่อนย้ายศพหลังเคลื่อนย้าย",
        "Transport vehicle cleaned after the transport",
        True,
    ),
    (
        "ฌาปนกิจในเตาเผาสองห้องเผา ไม่เปิดประตูเตาระหว่างเผา ภายใน 24 ชั่วโมง",
        "Cremated in a double-chamber cremator within 24 hours; door not opened mid-burn",
        True,
    ),
    (
        "กำจัดขยะและอุปกรณ์ป้องกันเป็นขยะติดเชื้อ ปิดถุงให้มิดชิด",
        "Waste and PPE sealed and disposed of as infectious waste",
        True,
    ),
    (
        "เจ้าหน้าที่อาบน้ำชำระร่างกายหลังปฏิบัติงาน",
        "Handlers shower after the work",
        False,
    ),
)


@transaction.atomic
def protocol_template_seed(municipality: Municipality) -> ProtocolTemplate:
    """The municipality's COVID-19 protocol template, created from the MoPH steps when it is missing.
    An edited template is left as it is."""
    template, created = ProtocolTemplate.objects.get_or_create(
        municipality=municipality,
        code=MOPH_COVID19_CODE,
        defaults={"name": MOPH_COVID19_NAME, "disease": Disease.COVID19, "source": MOPH_COVID19_SOURCE},
    )
    if created:
        ProtocolTemplateStep.objects.bulk_create(
            ProtocolTemplateStep(template=template, order=i, text_th=th, text_en=en, mandatory=mandatory)
            for i, (th, en, mandatory) in enumerate(MOPH_COVID19_STEPS, start=1)
        )
    return template


def protocol_template_for(municipality: Municipality, disease: str) -> ProtocolTemplate:
    """The active template for a disease; the COVID-19 one (seeded if needed) for any other."""
    template = (
        ProtocolTemplate.objects.filter(municipality=municipality, disease=disease, is_active=True)
        .order_by("id")
        .first()
    )
    return template or protocol_template_seed(municipality)
