"""The Thai Early Childhood Curriculum B.E. 2560 (หลักสูตรการศึกษาปฐมวัย พุทธศักราช 2560) as data:
4 domains, 12 standards and their indicators. Seeded by migration 0002; a later framework
(B.E. 2568) is added as another :class:`~thukkhon.childhood.models.Framework` row."""

from __future__ import annotations

from typing import Any

FRAMEWORK_2560 = {
    "code": "2560",
    "name_th": "หลักสูตรการศึกษาปฐมวัย พุทธศักราช 2560",
    "name_en": "Early Childhood Curriculum B.E. 2560 (2017)",
}

DOMAINS = [
    ("physical", "ด้านร่างกาย", "Physical", (1, 2)),
    ("emotional", "ด้านอารมณ์ จิตใจ", "Emotional and mental", (3, 4, 5)),
    ("social", "ด้านสังคม", "Social", (6, 7, 8)),
    ("intellectual", "ด้านสติปัญญา", "Intellectual", (9, 10, 11, 12)),
]

STANDARDS: list[tuple[int, str, str, list[tuple[str, str, str]]]] = [
    (
        1,
        "ร่างกายเจริญเติบโตตามวัยและมีสุขนิสัยที่ดี",
        "Age-appropriate growth and good health habits",
        [
            ("1.1", "มีน้ำหนักและส่วนสูงตามเกณฑ์", "Weight and height within the norms"),
            ("1.2", "มีสุขภาพอนามัย สุขนิสัยที่ดี", "Good health and hygiene habits"),
            ("1.3", "รักษาความปลอดภัยของตนเองและผู้อื่น", "Keeps self and others safe"),
        ],
    ),
    (
        2,
        "กล้ามเนื้อใหญ่และกล้ามเนื้อเล็กแข็งแรง ใช้ได้อย่างคล่องแคล่วและประสานสัมพันธ์กัน",
        "Strong, agile and coordinated gross and fine motor skills",
        [
            (
                "2.1",
                "เคลื่อนไหวร่างกายอย่างคล่องแคล่ว ประสานสัมพันธ์และทรงตัวได้",
                "Moves with agility, coordination and balance",
            ),
            ("2.2", "ใช้มือ-ตาประสานสัมพันธ์กัน", "Hand-eye coordination"),
        ],
    ),
    (
        3,
        "มีสุขภาพจิตดีและมีความสุข",
        "Good mental health and happiness",
        [
            ("3.1", "แสดงออกทางอารมณ์ได้อย่างเหมาะสม", "Expresses emotions appropriately"),
            ("3.2", "มีความรู้สึกที่ดีต่อตนเองและผู้อื่น", "Feels good about self and others"),
        ],
    ),
    (
        4,
        "ชื่นชมและแสดงออกทางศิลปะ ดนตรี และการเคลื่อนไหว",
        "Appreciates and expresses through art, music and movement",
        [
            (
                "4.1",
                "สนใจ มีความสุข และแสดงออกผ่านงานศิลปะ ดนตรี และการเคลื่อนไหว",
                "Enjoys and expresses through art, music and movement",
            ),
        ],
    ),
    (
        5,
        "มีคุณธรรม จริยธรรม และมีจิตใจที่ดีงาม",
        "Morals, ethics and a good mind",
        [
            ("5.1", "ซื่อสัตย์สุจริต", "Honest"),
            ("5.2", "มีความเมตตา กรุณา มีน้ำใจ และช่วยเหลือแบ่งปัน", "Kind, generous, helps and shares"),
            ("5.3", "มีความเห็นอกเห็นใจผู้อื่น", "Empathy for others"),
            ("5.4", "มีความรับผิดชอบ", "Responsible"),
        ],
    ),
    (
        6,
        "มีทักษะชีวิตและปฏิบัติตนตามหลักปรัชญาของเศรษฐกิจพอเพียง",
        "Life skills and the sufficiency-economy philosophy",
        [
            ("6.1", "ช่วยเหลือตนเองในการปฏิบัติกิจวัตรประจำวัน", "Self-help in daily routines"),
            ("6.2", "มีวินัยในตนเอง", "Self-discipline"),
            ("6.3", "ประหยัดและพอเพียง", "Thrift and sufficiency"),
        ],
    ),
    (
        7,
        "รักธรรมชาติ สิ่งแวดล้อม วัฒนธรรม และความเป็นไทย",
        "Love of nature, environment, culture and Thainess",
        [
            ("7.1", "ดูแลรักษาธรรมชาติและสิ่งแวดล้อม", "Cares for nature and the environment"),
            ("7.2", "มีมารยาทตามวัฒนธรรมไทย และรักความเป็นไทย", "Thai manners and love of Thainess"),
        ],
    ),
    (
        8,
        "อยู่ร่วมกับผู้อื่นได้อย่างมีความสุขและปฏิบัติตนเป็นสมาชิกที่ดีของสังคมในระบอบประชาธิปไตยอันมีพระมหากษัตริย์ทรงเป็นประมุข",
        "Lives happily with others as a good member of a democratic society with the King as head of state",
        [
            (
                "8.1",
                "ยอมรับความเหมือนและความแตกต่างระหว่างบุคคล",
                "Accepts similarities and differences between people",
            ),
            ("8.2", "มีปฏิสัมพันธ์ที่ดีกับผู้อื่น", "Good relations with others"),
            ("8.3", "ปฏิบัติตนเบื้องต้นในการเป็นสมาชิกที่ดีของสังคม", "Basic conduct of a good member of society"),
        ],
    ),
    (
        9,
        "ใช้ภาษาสื่อสารได้เหมาะสมกับวัย",
        "Age-appropriate use of language to communicate",
        [
            ("9.1", "สนทนาโต้ตอบและเล่าเรื่องให้ผู้อื่นเข้าใจ", "Converses and tells stories others understand"),
            ("9.2", "อ่าน เขียนภาพ และสัญลักษณ์ได้", "Reads and writes pictures and symbols"),
        ],
    ),
    (
        10,
        "มีความสามารถในการคิดที่เป็นพื้นฐานในการเรียนรู้",
        "Thinking abilities that underlie learning",
        [
            ("10.1", "มีความสามารถในการคิดรวบยอด", "Forms concepts"),
            ("10.2", "มีความสามารถในการคิดเชิงเหตุผล", "Reasons"),
            ("10.3", "มีความสามารถในการคิดแก้ปัญหาและตัดสินใจ", "Solves problems and decides"),
        ],
    ),
    (
        11,
        "มีจินตนาการและความคิดสร้างสรรค์",
        "Imagination and creativity",
        [
            ("11.1", "ทำงานศิลปะตามจินตนาการและความคิดสร้างสรรค์", "Makes art from imagination"),
            ("11.2", "แสดงท่าทาง/เคลื่อนไหวตามจินตนาการอย่างสร้างสรรค์", "Moves creatively from imagination"),
        ],
    ),
    (
        12,
        "มีเจตคติที่ดีต่อการเรียนรู้ และมีความสามารถในการแสวงหาความรู้ได้เหมาะสมกับวัย",
        "A good attitude to learning and age-appropriate inquiry",
        [
            ("12.1", "มีเจตคติที่ดีต่อการเรียนรู้", "Good attitude to learning"),
            ("12.2", "มีความสามารถในการแสวงหาความรู้", "Seeks knowledge"),
        ],
    ),
]


def seed_framework_2560(
    framework_model: Any, domain_model: Any, standard_model: Any, indicator_model: Any
) -> None:
    """Create the B.E. 2560 framework (idempotent). Models are passed in so a migration can use
    its historical models."""
    framework, _ = framework_model.objects.get_or_create(
        code=FRAMEWORK_2560["code"],
        defaults={
            "name_th": FRAMEWORK_2560["name_th"],
            "name_en": FRAMEWORK_2560["name_en"],
            "is_current": True,
        },
    )
    domain_of: dict[int, object] = {}
    for order, (code, name_th, name_en, numbers) in enumerate(DOMAINS, start=1):
        domain, _ = domain_model.objects.get_or_create(
            framework=framework, code=code, defaults={"name_th": name_th, "name_en": name_en, "order": order}
        )
        for number in numbers:
            domain_of[number] = domain
    for number, name_th, name_en, indicators in STANDARDS:
        standard, _ = standard_model.objects.get_or_create(
            framework=framework,
            number=number,
            defaults={"domain": domain_of[number], "name_th": name_th, "name_en": name_en},
        )
        for code, text_th, text_en in indicators:
            indicator_model.objects.get_or_create(
                standard=standard, code=code, defaults={"text_th": text_th, "text_en": text_en}
            )
