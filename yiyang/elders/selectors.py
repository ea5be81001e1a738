"""Reads of the elder register for other apps and for the register's own views."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from yiyang.core.identifiers import IdentifierError, parse_resident_id
from yiyang.core.regioncodes import scope_prefix
from yiyang.core.validators import parse_int
from yiyang.elders.choices import Category, ElderStatus, LivingSituation
from yiyang.elders.identity import id_number_index, phone_tail_index
from yiyang.elders.models import Elder, ElderCategory, ElderContact
from yiyang.regions.scope import prefixes_q

VIEW = "elders.view"


def elder_list(*, user: Any, perm: str = VIEW) -> QuerySet[Elder]:
    return Elder.objects.restrict(user, perm).select_related("region")


def elder_get(*, user: Any, public_id: Any, perm: str = VIEW) -> Elder | None:
    """One elder in the user's scope, or None (callers answer 404)."""
    try:
        return elder_list(user=user, perm=perm).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def elder_status(elder_id: Any) -> str:
    """The elder's current status, read fresh from the database."""
    return Elder.objects.only("status").get(pk=elder_id).status


def elder_ids_for_contact(user: Any) -> QuerySet[ElderContact, Any]:
    """The elders the user is a family contact of, as a ``values("elder_id")`` subquery."""
    return ElderContact.objects.filter(user=user).values("elder_id")


def is_elder_contact(*, elder_id: Any, user: Any) -> bool:
    return ElderContact.objects.filter(elder_id=elder_id, user=user).exists()


def elder_find_by_id_number(*, user: Any, id_number: str, perm: str = VIEW) -> Elder | None:
    try:
        number = parse_resident_id(id_number).number
    except IdentifierError:
        return None
    return elder_list(user=user, perm=perm).filter(id_number_hash=id_number_index(number)).first()


def elder_capability(elder: Elder) -> dict[str, Any]:
    """Current level and 失能 status, as other apps (subsidies, beds, visits, orders) read them."""
    return {
        "standard": elder.capability_standard,
        "level": elder.capability_level,
        "label": elder.capability_label,
        "assessed_on": elder.capability_assessed_on,
        "valid_until": elder.capability_valid_until,
        "moderate_plus": elder.disabled_moderate_plus,
    }


ORDERINGS = {"name", "birth_date", "created_at", "capability_level"}
ADVANCED_AGE = "advanced_age"  # 高龄 (80+), derived from the birth date — a filter, never a stored category


@dataclass
class ElderFilters:
    """The register's search, shared by the API, the list page and the export."""

    q: str = ""
    id_number: str = ""
    phone_tail: str = ""
    category: str = ""
    living_situation: str = ""
    age_min: int | None = None
    age_max: int | None = None
    capability_level: int | None = None
    region: str = ""
    status: str = ""
    ordering: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Any) -> ElderFilters:
        f = cls()
        for key in (
            "q",
            "id_number",
            "phone_tail",
            "category",
            "living_situation",
            "region",
            "status",
            "ordering",
        ):
            setattr(f, key, str(params.get(key) or "").strip())
        for key in ("age_min", "age_max", "capability_level"):
            raw = str(params.get(key) or "").strip()
            if raw:
                try:
                    setattr(f, key, parse_int(raw, label="", min_value=0, max_value=200))
                except ValidationError:
                    f.errors[key] = ["应为 0–200 的整数"]
        if f.phone_tail and not (
            len(f.phone_tail) == 4 and f.phone_tail.isascii() and f.phone_tail.isdigit()
        ):
            f.errors["phone_tail"] = ["请输入电话号码的后 4 位数字"]
        if f.category and f.category not in {*Category.values, ADVANCED_AGE}:
            f.errors["category"] = ["类别无效"]
        if f.living_situation and f.living_situation not in LivingSituation.values:
            f.errors["living_situation"] = ["居住情况无效"]
        if f.status and f.status not in ElderStatus.values:
            f.errors["status"] = ["状态无效"]
        if f.ordering and f.ordering.lstrip("-") not in ORDERINGS:
            f.errors["ordering"] = [f"排序字段只能是 {', '.join(sorted(ORDERINGS))}（前加 - 为倒序）"]
        if f.region:
            try:
                f.region = scope_prefix(f.region)
            except (ValueError, TypeError) as exc:
                f.errors["region"] = [str(exc)]
        return f

    def apply(self, qs: QuerySet[Elder], today: date | None = None) -> QuerySet[Elder]:
        today = today or timezone.localdate()
        if self.q:
            # Chinese names have no letter case: without cased characters, a plain LIKE matches the same rows
            # and skips UPPER() on every row scanned (and the trigram index is on the plain column).
            uncased = self.q.upper() == self.q.lower()
            qs = qs.filter(name__contains=self.q) if uncased else qs.filter(name__icontains=self.q)
        if self.id_number:
            try:
                number = parse_resident_id(self.id_number).number
            except IdentifierError:
                return qs.none()
            qs = qs.filter(id_number_hash=id_number_index(number))
        if self.phone_tail:
            qs = qs.filter(phone_tail_hash=phone_tail_index(self.phone_tail))
        if self.category == ADVANCED_AGE:
            qs = qs.filter(birth_date__lte=anniversary_back(today, 80))
        elif self.category:
            qs = qs.filter(
                Exists(
                    ElderCategory.objects.filter(elder=OuterRef("pk"), category=self.category)
                    .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
                    .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
                )
            )
        if self.living_situation:
            qs = qs.filter(living_situation=self.living_situation)
        if self.age_min is not None:
            qs = qs.filter(birth_date__lte=anniversary_back(today, self.age_min))
        if self.age_max is not None:
            qs = qs.filter(birth_date__gt=anniversary_back(today, self.age_max + 1))
        if self.capability_level is not None:
            qs = qs.filter(capability_level=self.capability_level)
        if self.region:
            # the same prefix mechanism the scope uses: a region and everything below it
            qs = qs.filter(prefixes_q(Elder.scope_region_field, [self.region]))
        if self.status:
            qs = qs.filter(status=self.status)
        if not self.ordering or self.ordering.lstrip("-") not in ORDERINGS:
            return qs.order_by("-id")  # newest first; the primary key follows registration order
        if self.ordering.lstrip("-") == "created_at":  # same order, served by the primary-key index
            return qs.order_by("id" if self.ordering == "created_at" else "-id")
        return qs.order_by(self.ordering, "-id")


def anniversary_back(today: date, years: int) -> date:
    """The latest birth date of someone who is at least ``years`` old on ``today`` (29 Feb → 28 Feb)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def elder_search(*, user: Any, filters: ElderFilters, perm: str = VIEW) -> QuerySet[Elder]:
    return filters.apply(elder_list(user=user, perm=perm))


# --- Quick search (the order pages' elder search: one box, never a long dropdown) -----------------------

QUICK_SEARCH_LIMIT = 20


@dataclass
class QuickSearch:
    """What one search box holds: a full ID number (18 characters), the last 4 digits of a phone, a full
    phone number (11 digits) or a name (part of it)."""

    kind: str  # "id_number" | "phone_tail" | "phone" | "name" | "" (nothing to search)
    value: str

    @classmethod
    def parse(cls, raw: Any) -> QuickSearch:
        text = "".join(str(raw or "").split())[:50]
        if not text:
            return cls("", "")
        if len(text) in (15, 18) and text[:-1].isascii() and text[:-1].isdigit():
            return cls("id_number", text.upper())
        if text.isascii() and text.isdigit():
            if len(text) == 4:
                return cls("phone_tail", text)
            if len(text) == 11:
                return cls("phone", text)
            return cls("", text)  # digits that are neither: nothing matches by name either
        return cls("name", text)

    @property
    def label(self) -> str:
        return {
            "id_number": "身份证号",
            "phone_tail": "电话后 4 位",
            "phone": "电话号码",
            "name": "姓名",
        }.get(self.kind, "")


def elder_quick_search(
    *, user: Any, q: Any, perm: str = VIEW, limit: int = QUICK_SEARCH_LIMIT, active_only: bool = True
) -> tuple[QuickSearch, list[Elder]]:
    """Elders in the user's scope matching one search box (see ``QuickSearch``), by name then newest;
    ID numbers and phones are matched by their blind indexes, never decrypted."""
    from yiyang.elders.identity import phone_index

    search = QuickSearch.parse(q)
    if not search.kind:
        return search, []
    qs = elder_list(user=user, perm=perm)
    if active_only:
        qs = qs.filter(status=ElderStatus.ACTIVE)
    if search.kind == "id_number":
        try:
            number = parse_resident_id(search.value).number
        except IdentifierError:
            return search, []
        qs = qs.filter(id_number_hash=id_number_index(number))
    elif search.kind == "phone_tail":
        qs = qs.filter(phone_tail_hash=phone_tail_index(search.value))
    elif search.kind == "phone":
        qs = qs.filter(phone_hash=phone_index(search.value))
    else:
        qs = qs.filter(name__contains=search.value)
    return search, list(qs.order_by("name", "-id")[:limit])


def id_tail(elder: Elder) -> str:
    """The last 4 characters of the masked ID number (what the search shows to tell same-name elders apart)."""
    return elder.id_number_masked[-4:] if elder.id_number_masked else ""


def elders_by_phone_hash(
    *, user: Any, number_hash: str, perm: str = "elders.view", limit: int = 10
) -> list[Any]:
    """The elders in the user's scope a phone number belongs to (by its blind index): the elder's own
    phone, or the phone of one of their contacts (a relative calling). Never by decrypting."""
    from django.db.models import Q

    from yiyang.elders.models import ElderContact

    if not number_hash:
        return []
    by_contact = ElderContact.objects.filter(phone_hash=number_hash).values("elder_id")
    return list(
        elder_list(user=user, perm=perm)
        .filter(Q(phone_hash=number_hash) | Q(pk__in=by_contact))
        .select_related("region")
        .order_by("pk")[:limit]
    )


def contacts_by_phone_hash(elders: list[Any], number_hash: str) -> list[Any]:
    """The contacts of these (already scoped) elders whose phone has this blind index."""
    from yiyang.elders.models import ElderContact

    if not number_hash or not elders:
        return []
    return list(
        ElderContact.objects.filter(elder__in=elders, phone_hash=number_hash).order_by("elder_id", "pk")
    )
