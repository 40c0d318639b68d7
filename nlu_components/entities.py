"""Rule-based entity extraction for the renewals assistant (Rasa 3.6).

`DomainEntityExtractor` finds, in every user message:

===============  ==========================================================
entity           value
===============  ==========================================================
activation_code  canonical code "WA-2ZDQ-....." (renewals.codes)
product          catalogue product code, e.g. "WFBS-ADV", "APEX-ONE"
product_brand    "SMB" / "Enterprise": said outright ("small business"),
                 implied by a product mentioned, or by a bare "Worry-Free"
platform         catalogue platform: "Windows", "Mac", "Linux",
                 "Microsoft Exchange", "Cloud"
user_count       int ("20 users", "twenty seats", "users: 20")
term_years       int ("2 years", "3-year", "a year", "24 months")
email            address, domain lower-cased
phone            E.164 string ("+61412345678")
date             the date expression as typed ("next Friday", "1/3/2027");
                 actions resolve it with renewals.parsing.parse_date
===============  ==========================================================

Configure it in `config.yml` (it is not trained; options shown are defaults)::

    pipeline:
      - name: WhitespaceTokenizer
      - name: nlu_components.entities.DomainEntityExtractor
        catalogue_path: demo/pricing.yml   # relative to the working directory
        phone_region: AU                   # NZ for New Zealand deployments
        entities: null                     # or a list, e.g. [product, user_count]
        brand_from_product: true
      # ... featurizers, DIETClassifier ...

Entities never overlap (the longest wins; ties: activation_code, email,
phone, product, date, term_years, user_count, platform, product_brand),
except that a product's implied product_brand shares the product's span.
An entity of the same type already in the message (from another extractor,
or from an earlier run) over the same characters is not added again; if a
DIETClassifier also extracts these entities, put this component after it.
Texts longer than `renewals.parsing.MAX_INPUT_LENGTH` characters only get
activation_code entities.  `process` never raises on any text.

Products, platforms and brands are matched with a blank English spaCy
pipeline and an EntityRuler built from the catalogue (`catalogue_path`,
relative to the working directory, else to the project root) plus built-in
short forms.  The other entities come from `renewals.parsing` and
`renewals.codes`, so actions and NLU agree on formats.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from renewals import parsing
from renewals.codes import find_activation_code_span

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ACTIVATION_CODE = "activation_code"
PRODUCT = "product"
PRODUCT_BRAND = "product_brand"
PLATFORM = "platform"
USER_COUNT = "user_count"
TERM_YEARS = "term_years"
EMAIL = "email"
PHONE = "phone"
DATE = "date"

ENTITY_TYPES = (
    ACTIVATION_CODE,
    PRODUCT,
    PRODUCT_BRAND,
    PLATFORM,
    USER_COUNT,
    TERM_YEARS,
    EMAIL,
    PHONE,
    DATE,
)
# Tie-break between overlapping candidates of the same length (lower wins).
_PRIORITY = {
    name: rank
    for rank, name in enumerate(
        (ACTIVATION_CODE, EMAIL, PHONE, PRODUCT, DATE, TERM_YEARS, USER_COUNT, PLATFORM, PRODUCT_BRAND)
    )
}

# Short forms customers use, by catalogue product code.  Only codes present in
# the catalogue are used; the catalogue's own names and codes are always added.
_WORRY_FREE = ("worry free", "worryfree", "worry free business security", "wfbs")
PRODUCT_ALIASES: Dict[str, Tuple[str, ...]] = {
    "WFBS-STD": tuple(f"{f} {e}" for f in _WORRY_FREE for e in ("standard", "std")),
    "WFBS-ADV": tuple(f"{f} {e}" for f in _WORRY_FREE for e in ("advanced", "advance", "adv")),
    "WFBS-SVC": tuple(f"{f} {e}" for f in _WORRY_FREE for e in ("services", "service", "svc"))
    + ("wfbss", "wfbs-s"),
    # OfficeScan (OSCE) is Apex One's former name.
    "APEX-ONE": ("apex one", "apex 1", "officescan", "office scan", "osce"),
    "DSEC": ("deep security",),
    "SMEX": (
        "scanmail",
        "scan mail",
        "scanmail for exchange",
        "scanmail for ms exchange",
        "scanmail exchange",
    ),
    "IMSVA": ("interscan messaging security va", "interscan messaging virtual appliance"),
    "PP-SP": ("portalprotect", "portal protect", "portalprotect for sharepoint", "pp sp"),
}
# A Worry-Free mention without an edition names the SMB brand, not a product.
BRAND_ALIASES: Dict[str, Tuple[str, ...]] = {
    "SMB": (
        "smb",
        "smbs",
        "sme",
        "smes",
        "small business",
        "small businesses",
        "small biz",
        "small and medium business",
        "small and medium businesses",
        "small and medium sized business",
        "small to medium business",
        "small to medium businesses",
        "small to medium sized business",
    )
    + _WORRY_FREE
    + ("worry free business", "worry free business security"),
    "Enterprise": ("enterprise", "enterprises", "enterprise edition", "enterprise grade"),
}
PLATFORM_ALIASES: Dict[str, Tuple[str, ...]] = {
    "Windows": ("windows", "ms windows", "microsoft windows", "win10", "win11", "windows server"),
    "Mac": (
        "mac",
        "macs",
        "macos",
        "mac os",
        "mac os x",
        "osx",
        "os x",
        "macintosh",
        "macbook",
        "macbooks",
        "imac",
        "imacs",
        "apple mac",
    ),
    "Linux": ("linux", "ubuntu", "red hat", "redhat", "rhel", "centos", "debian", "suse"),
    # A lone lower-case "exchange" is too often the verb: see _EXCHANGE_PATTERN.
    "Microsoft Exchange": (
        "microsoft exchange",
        "ms exchange",
        "exchange server",
        "exchange online",
    ),
    "Cloud": ("cloud", "cloud based", "cloud hosted", "saas"),
}
_EXCHANGE_PATTERN = [{"ORTH": {"IN": ["Exchange", "EXCHANGE"]}}]
_SEPARATOR = {"ORTH": {"IN": ["-", "/", "_"]}, "OP": "?"}

# One-for-one character replacements (offsets stay valid): dash look-alikes
# to "-", control and zero-width characters to spaces.
_NORMALISE = {cp: "-" for cp in (*range(0x2010, 0x2016), 0x2212, 0xFE63, 0xFF0D)}
_NORMALISE.update({cp: " " for cp in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))})
_NORMALISE.update({cp: " " for cp in (*range(0x7F, 0xA0), 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)})

# Everything else becomes a space before spaCy sees the text: patterns only
# need words and separators, and long runs of punctuation or emoji would make
# the tokenizer slow.
_NOT_MATCHED = re.compile(r"[^\w\s/-]")

_WORD_SPLIT = re.compile(r"[\s\-/_]+")


def _spacy_text(text: str) -> str:
    """`text` for the EntityRuler: same length, so offsets stay valid."""
    return _NOT_MATCHED.sub(" ", text.translate(_NORMALISE))


def _alias_tokens(alias: str) -> List[str]:
    return [word for word in _WORD_SPLIT.split(alias.lower()) if word]


def _token_pattern(words: Sequence[str]) -> List[Dict[str, Any]]:
    """spaCy token pattern for `words`, any case, optionally hyphen-joined."""
    pattern: List[Dict[str, Any]] = []
    for index, word in enumerate(words):
        if index:
            pattern.append(_SEPARATOR)
        pattern.append({"LOWER": word})
    return pattern


def _alias_patterns(label: str, ent_id: str, aliases: Iterable[str]) -> List[Dict[str, Any]]:
    """EntityRuler patterns for every alias, with and without separators."""
    seen = set()
    patterns = []
    for alias in aliases:
        words = _alias_tokens(alias)
        if not words:
            continue
        variants = [tuple(words)]
        if len(words) > 1:
            variants.append(("".join(words),))  # "wfbsadv", "apexone"
        for variant in variants:
            if variant not in seen:
                seen.add(variant)
                patterns.append({"label": label, "pattern": _token_pattern(variant), "id": ent_id})
    return patterns


def _resolve_catalogue_path(raw: Any) -> Path:
    path = Path(str(raw or "demo/pricing.yml")).expanduser()
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, PROJECT_ROOT / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"DomainEntityExtractor: product catalogue '{raw}' not found "
        f"(looked in {', '.join(str(c) for c in candidates)}). "
        f"Set 'catalogue_path' in the component's config."
    )


def load_catalogue(path: Any) -> List[Dict[str, Any]]:
    """The `products` list of a pricing.yml catalogue."""
    import rasa.shared.utils.io

    content = rasa.shared.utils.io.read_yaml_file(_resolve_catalogue_path(path)) or {}
    products = content.get("products") if isinstance(content, dict) else None
    if not isinstance(products, list):
        raise ValueError(f"DomainEntityExtractor: no 'products' list in catalogue '{path}'.")
    return [p for p in products if isinstance(p, dict) and p.get("code")]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class DomainEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Rule-based extractor for codes, products, counts, terms and contacts."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # pricing.yml with the products (codes, names, brands, platforms)
            "catalogue_path": "demo/pricing.yml",
            # region for phone numbers written without a country code;
            # the other ANZ region is tried when a number is invalid in this one
            "phone_region": "AU",
            # entity types to extract (None: all of ENTITY_TYPES)
            "entities": None,
            # add the brand of every product mentioned as a product_brand
            # entity (same span as the product) unless that brand was said
            "brand_from_product": True,
        }

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DomainEntityExtractor:
        """Creates the component (see parent class for full docstring)."""
        return cls(config)

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        """Loads the catalogue and builds the spaCy matching pipeline."""
        self._config = {**self.get_default_config(), **(config or {})}
        wanted = self._config.get("entities")
        self._entities = set(wanted) if wanted else set(ENTITY_TYPES)
        self._phone_region = str(self._config.get("phone_region") or "AU").upper()

        products = load_catalogue(self._config.get("catalogue_path"))
        self.product_brands = {str(p["code"]): str(p["brand"]) for p in products if p.get("brand")}
        self._nlp = self._build_pipeline(products)

    @staticmethod
    def _build_pipeline(products: List[Dict[str, Any]]) -> Any:
        import spacy

        patterns: List[Dict[str, Any]] = []
        for product in products:
            code = str(product["code"])
            aliases = [code, str(product.get("name") or "")]
            aliases += PRODUCT_ALIASES.get(code, ())
            patterns += _alias_patterns(PRODUCT, code, aliases)

        brands = {str(p["brand"]) for p in products if p.get("brand")}
        worry_free_sold = any(str(p["code"]).startswith("WFBS") for p in products)
        for brand in sorted(brands):
            aliases = [brand] + list(BRAND_ALIASES.get(brand, ()))
            if not worry_free_sold:
                aliases = [a for a in aliases if a not in _WORRY_FREE and "worry" not in a]
            patterns += _alias_patterns(PRODUCT_BRAND, brand, aliases)

        platforms = {str(name) for p in products for name in (p.get("platforms") or [])}
        for platform in sorted(platforms):
            aliases = [platform] + list(PLATFORM_ALIASES.get(platform, ()))
            patterns += _alias_patterns(PLATFORM, platform, aliases)
        if "Microsoft Exchange" in platforms:
            patterns.append({"label": PLATFORM, "pattern": _EXCHANGE_PATTERN, "id": "Microsoft Exchange"})

        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
        ruler.add_patterns(patterns)
        return nlp

    # ------------------------------------------------------------------

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their annotated entities: returned unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds this component's entities to each message's `entities`."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            existing = message.get(ENTITIES) or []
            try:
                found = self.extract(text)
                new = [e for e in found if not _already_there(e, existing)]
            except Exception:  # never let a message break the pipeline
                logger.exception("DomainEntityExtractor failed on a message.")
                new = []
            message.set(ENTITIES, list(existing) + new, add_to_output=True)
        return messages

    def extract(self, text: Text) -> List[Dict[Text, Any]]:
        """The entities in `text`, in text order (see the module docstring)."""
        if not isinstance(text, str) or not text:
            return []
        candidates: List[Tuple[int, int, str, Any]] = []

        # Activation Codes first; blank them out so that no other entity is
        # found inside one (offsets stay the same).
        masked = text
        offset = 0
        while True:
            span = find_activation_code_span(masked[offset:])
            if span is None:
                break
            start, end = offset + span[0], offset + span[1]
            candidates.append((start, end, ACTIVATION_CODE, span[2]))
            masked = masked[:start] + " " * (end - start) + masked[end:]
            offset = end

        if len(text) <= parsing.MAX_INPUT_LENGTH:
            candidates += self._catalogue_candidates(masked)
            for span in parsing.find_email_spans(masked):
                candidates.append((span.start, span.end, EMAIL, span.value))
            if PHONE in self._entities:
                for span in parsing.find_phone_spans(masked, self._phone_region):
                    candidates.append((span.start, span.end, PHONE, span.value))
            for span in parsing.find_user_count_spans(masked):
                candidates.append((span.start, span.end, USER_COUNT, span.value))
            for span in parsing.find_years_spans(masked):
                candidates.append((span.start, span.end, TERM_YEARS, span.value))
            if DATE in self._entities:
                for span in parsing.find_date_expressions(masked):
                    candidates.append((span.start, span.end, DATE, text[span.start : span.end]))

        chosen = _without_overlaps(c for c in candidates if c[2] in self._entities)
        entities = [self._entity(start, end, name, value) for start, end, name, value in chosen]

        # A product implies its brand (same span as the product).
        if PRODUCT_BRAND in self._entities and self._config.get("brand_from_product"):
            brands = {
                e[ENTITY_ATTRIBUTE_VALUE] for e in entities if e[ENTITY_ATTRIBUTE_TYPE] == PRODUCT_BRAND
            }
            for entity in list(entities):
                if entity[ENTITY_ATTRIBUTE_TYPE] != PRODUCT:
                    continue
                brand = self.product_brands.get(entity[ENTITY_ATTRIBUTE_VALUE])
                if brand and brand not in brands:
                    brands.add(brand)
                    entities.append(
                        self._entity(
                            entity[ENTITY_ATTRIBUTE_START],
                            entity[ENTITY_ATTRIBUTE_END],
                            PRODUCT_BRAND,
                            brand,
                        )
                    )
        entities.sort(key=lambda e: (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_TYPE] != PRODUCT))
        return entities

    def _catalogue_candidates(self, text: str) -> List[Tuple[int, int, str, Any]]:
        if not self._entities & {PRODUCT, PRODUCT_BRAND, PLATFORM}:
            return []
        doc = self._nlp(_spacy_text(text))
        found = []
        for ent in doc.ents:
            if ent.label_ == PLATFORM and ent.ent_id_ == "Mac" and ent.end < len(doc):
                if doc[ent.end].lower_ in ("address", "addresses"):  # MAC address
                    continue
            found.append((ent.start_char, ent.end_char, ent.label_, ent.ent_id_))
        return found

    def _entity(self, start: int, end: int, name: str, value: Any) -> Dict[Text, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: name,
            ENTITY_ATTRIBUTE_START: start,
            ENTITY_ATTRIBUTE_END: end,
            ENTITY_ATTRIBUTE_VALUE: value,
            ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            EXTRACTOR: self.name,
        }


def _without_overlaps(candidates: Iterable[Tuple[int, int, str, Any]]) -> List[Tuple[int, int, str, Any]]:
    """Longest candidates first (then by entity priority), no overlaps."""
    ordered = sorted(candidates, key=lambda c: (c[0] - c[1], _PRIORITY[c[2]], c[0]))
    kept: List[Tuple[int, int, str, Any]] = []
    for candidate in ordered:
        start, end = candidate[0], candidate[1]
        if end > start and all(end <= k[0] or start >= k[1] for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda c: c[0])


def _already_there(entity: Dict[Text, Any], existing: Iterable[Any]) -> bool:
    """True when another extractor (or an earlier run) has this entity."""
    for other in existing:
        if not isinstance(other, dict):
            continue
        if other.get(ENTITY_ATTRIBUTE_TYPE) != entity[ENTITY_ATTRIBUTE_TYPE]:
            continue
        start, end = other.get(ENTITY_ATTRIBUTE_START), other.get(ENTITY_ATTRIBUTE_END)
        if isinstance(start, int) and isinstance(end, int):
            if start < entity[ENTITY_ATTRIBUTE_END] and end > entity[ENTITY_ATTRIBUTE_START]:
                return True
        elif other.get(ENTITY_ATTRIBUTE_VALUE) == entity[ENTITY_ATTRIBUTE_VALUE]:
            return True
    return False
