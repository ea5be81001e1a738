"""Tests for yiyang.core.identifiers (STANDARDS.md §4.2, §5.1, §5.2)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidComponent, InvalidFormat

from yiyang.core.identifiers import (
    IdentifierError,
    ResidentId,
    age_on,
    anniversary,
    birthplace_name,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_phone,
    parse_resident_id,
    resident_id_check_char,
    validate_uscc,
)

TODAY = date(2025, 6, 1)


# --- independent reference implementations (not shared with the module) -----


def ref_ric_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 with weights computed as 2^(18-i) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def ref_uscc_check(first17: str) -> str:
    """GB 32100 check with weights computed as 3^(i-1) mod 31."""
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def error_code(value: str) -> str:
    with pytest.raises(IdentifierError) as info:
        parse_resident_id(value, today=TODAY)
    return info.value.code


# --- resident ID: worked examples from §5.1 ----------------------------------


def test_worked_example_female_with_x() -> None:
    rid = parse_resident_id("11010519491231002X", today=TODAY)
    assert rid == ResidentId(
        number="11010519491231002X",
        address_code="110105",
        birth_date=date(1949, 12, 31),
        sex="F",
        converted_from_15=False,
    )


def test_worked_example_born_1880() -> None:
    rid = parse_resident_id("440524188001010014", today=TODAY)
    assert rid.birth_date == date(1880, 1, 1)
    assert rid.sex == "M"
    assert rid.address_code == "440524"


def test_worked_example_stdnum_doctest() -> None:
    rid = parse_resident_id("360426199101010071", today=TODAY)
    assert rid.birth_date == date(1991, 1, 1)
    assert rid.sex == "M"


def test_worked_example_invalid_checksum() -> None:
    assert error_code("510104199001010018") == "invalid_checksum"
    assert resident_id_check_char("51010419900101001") == "9"


def test_worked_example_15_digit_conversion() -> None:
    rid = parse_resident_id("110105491231002", today=TODAY)
    assert rid.number == "11010519491231002X"
    assert rid.converted_from_15 is True
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "F"


def test_check_chars_from_worked_table() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"
    assert resident_id_check_char("36042619910101007") == "1"


def test_resident_id_is_frozen() -> None:
    rid = parse_resident_id("11010519491231002X", today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rid.number = "x"  # type: ignore[misc]


# --- resident ID: normalisation and errors -----------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２ｘ",  # full-width input
        "110105\u300019491231002X",
    ],
)
def test_normalisation(raw: str) -> None:
    assert parse_resident_id(raw, today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "invalid_length"),
        ("1101051949123100", "invalid_length"),
        ("11010519491231002XX", "invalid_length"),
        ("11010519491231002A", "invalid_format"),
        ("1101051949123100X2", "invalid_format"),
        ("X10105491231002", "invalid_format"),
        ("11010519491231002Y", "invalid_format"),
        ("110105194912310021", "invalid_checksum"),
        ("11010519491231002X".replace("X", "0"), "invalid_checksum"),
    ],
)
def test_structural_errors(raw: str, code: str) -> None:
    assert error_code(raw) == code


def with_check(first17: str) -> str:
    return first17 + ref_ric_check(first17)


@pytest.mark.parametrize(
    "first17",
    [
        "11010519490230002",  # 30 February
        "11010519491301002",  # month 13
        "11010519490000002",  # month 0
        "11010519000229002",  # 1900 is not a leap year
        "11010518491231002",  # before 1850-01-01
        "11010520250602002",  # after TODAY
    ],
)
def test_invalid_birth_dates(first17: str) -> None:
    assert error_code(with_check(first17)) == "invalid_birth_date"


def test_birth_date_boundaries() -> None:
    assert parse_resident_id(with_check("11010518500101002"), today=TODAY)
    assert parse_resident_id(with_check("11010520250601002"), today=TODAY)
    assert parse_resident_id(with_check("11010520000229002"), today=TODAY)


def test_15_digit_invalid_date() -> None:
    # 1900-02-29 does not exist
    assert error_code("110105000229002") == "invalid_birth_date"


def test_future_uses_real_today_by_default() -> None:
    future = date.today() + timedelta(days=1)
    number = with_check("110105" + future.strftime("%Y%m%d") + "002")
    with pytest.raises(IdentifierError) as info:
        parse_resident_id(number)
    assert info.value.code == "invalid_birth_date"


@pytest.mark.parametrize("seq", ["996", "997", "998", "999"])
def test_centenarian_sequence_codes_not_special(seq: str) -> None:
    rid = parse_resident_id(with_check("11010519200101" + seq), today=TODAY)
    assert rid.sex == ("M" if int(seq[2]) % 2 else "F")


@pytest.mark.parametrize(
    "raw",
    [
        "110105194912310021",
        "11010519491231002A",
        "11010519490230002" + ref_ric_check("11010519490230002"),
        "1101051949123100",
    ],
)
def test_error_messages_never_echo_number(raw: str) -> None:
    with pytest.raises(IdentifierError) as info:
        parse_resident_id(raw, today=TODAY)
    err = info.value
    assert raw not in err.message
    assert raw[:17] not in err.message
    assert str(err) == err.message
    assert isinstance(err, ValueError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message)


def test_non_string_rejected() -> None:
    with pytest.raises(IdentifierError) as info:
        parse_resident_id(11010519491231002, today=TODAY)  # type: ignore[arg-type]
    assert info.value.code == "invalid_format"


# --- resident ID: property tests ---------------------------------------------

addresses = st.text(alphabet="0123456789", min_size=6, max_size=6)
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)
birth_dates = st.dates(min_value=date(1850, 1, 1), max_value=TODAY)


@given(addresses, birth_dates, sequences)
def test_any_valid_composition_parses(addr: str, born: date, seq: str) -> None:
    first17 = addr + born.strftime("%Y%m%d") + seq
    number = first17 + ref_ric_check(first17)
    rid = parse_resident_id(number.lower(), today=TODAY)
    assert rid.number == number
    assert rid.address_code == addr
    assert rid.birth_date == born
    assert rid.sex == ("M" if int(seq[2]) % 2 == 1 else "F")
    assert rid.converted_from_15 is False


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_char_matches_reference_and_stdnum(first17: str) -> None:
    ours = resident_id_check_char(first17)
    assert ours == ref_ric_check(first17)
    assert ours == stdnum_ric.calc_check_digit(first17 + "0")


@given(
    addresses,
    birth_dates,
    sequences,
    st.integers(min_value=0, max_value=17),
    st.data(),
)
def test_single_character_change_is_detected(
    addr: str, born: date, seq: str, position: int, data: st.DataObject
) -> None:
    first17 = addr + born.strftime("%Y%m%d") + seq
    number = first17 + ref_ric_check(first17)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    assert error_code(changed) == "invalid_checksum"


@given(
    addresses,
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    sequences,
)
def test_15_digit_conversion_property(addr: str, born: date, seq: str) -> None:
    old = addr + born.strftime("%y%m%d") + seq
    rid = parse_resident_id(old, today=TODAY)
    assert rid.converted_from_15
    assert rid.number[:6] == addr
    assert rid.number[6:8] == "19"
    assert rid.birth_date == born
    assert rid.number[17] == ref_ric_check(rid.number[:17])
    # the converted number parses as an ordinary 18-digit number
    assert parse_resident_id(rid.number, today=TODAY).converted_from_15 is False


# --- birthplace hint and the stdnum pitfall ----------------------------------


def test_stdnum_birthplace_pitfall() -> None:
    number = "440524193501010017"
    # stdnum rejects a genuine 1935 number because 440524 only "exists" 1983-1993
    with pytest.raises(InvalidComponent):
        stdnum_ric.validate(number)
    with pytest.raises(InvalidComponent):
        stdnum_ric.validate("440524188001010014")
    # we accept it: the address code is never a reason to reject
    rid = parse_resident_id(number, today=TODAY)
    assert rid.birth_date == date(1935, 1, 1)
    assert rid.sex == "M"
    name, historical = birthplace_name(rid.address_code)
    assert name is not None and "潮阳县" in name
    assert name.startswith("广东省")
    assert historical is True


def test_birthplace_current_codes() -> None:
    assert birthplace_name("110105") == ("北京市朝阳区", False)
    assert birthplace_name("360426") == ("江西省九江市德安县", False)
    assert birthplace_name("440000") == ("广东省", False)
    assert birthplace_name("440500") == ("广东省汕头市", False)


def test_birthplace_renamed_code_uses_latest_name() -> None:
    # 440111: [1983-1986]郊区,[1987-]白云区 -> still valid, current name
    assert birthplace_name("440111") == ("广东省广州市白云区", False)


def test_birthplace_unknown() -> None:
    assert birthplace_name("999999") == (None, False)
    assert birthplace_name("12345") == (None, False)
    assert birthplace_name("abcdef") == (None, False)


def test_birthplace_table_is_cached() -> None:
    from yiyang.core import identifiers

    birthplace_name("110105")
    before = identifiers._location_table.cache_info().hits
    birthplace_name("440524")
    assert identifiers._location_table.cache_info().hits == before + 1


# --- age rule §4.2 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "ref", "age"),
    [
        (date(1945, 6, 1), date(2025, 5, 31), 79),
        (date(1945, 6, 1), date(2025, 6, 1), 80),
        (date(1945, 6, 1), date(2025, 6, 2), 80),
        (date(1945, 6, 1), date(1945, 6, 1), 0),
        (date(1944, 2, 29), date(2024, 2, 28), 79),
        (date(1944, 2, 29), date(2024, 2, 29), 80),  # leap year: real birthday
        (date(1944, 2, 29), date(2025, 2, 28), 80),
    ],
)
def test_age_on_examples(born: date, ref: date, age: int) -> None:
    assert age_on(born, ref) == age


def test_feb29_birthday_in_non_leap_year_is_configurable() -> None:
    born = date(1948, 2, 29)
    # 2028 is leap; 2027 is not: 79th birthday in 2027
    assert age_on(born, date(2027, 2, 28)) == 78
    assert age_on(born, date(2027, 3, 1)) == 79
    assert age_on(born, date(2027, 2, 28), feb29_as_mar1=False) == 79
    assert age_on(born, date(2027, 2, 27), feb29_as_mar1=False) == 78
    assert anniversary(born, 79) == date(2027, 3, 1)
    assert anniversary(born, 79, feb29_as_mar1=False) == date(2027, 2, 28)
    assert anniversary(born, 80) == date(2028, 2, 29)


def test_age_on_rejects_reference_before_birth() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@given(
    st.dates(min_value=date(1850, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=-800, max_value=800),
    st.booleans(),
)
def test_age_rule_equivalence(born: date, n: int, offset: int, mar1: bool) -> None:
    """age >= N  <=>  ref >= birth_date + N years."""
    ref = anniversary(born, n, feb29_as_mar1=mar1) + timedelta(days=offset)
    if ref < born:
        return
    age = age_on(born, ref, feb29_as_mar1=mar1)
    assert (age >= n) == (ref >= anniversary(born, n, feb29_as_mar1=mar1))


# --- USCC §5.2 -----------------------------------------------------------------


def make_uscc(first17: str) -> str:
    return first17 + ref_uscc_check(first17)


def test_uscc_worked_examples() -> None:
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_uscc(" 91110000600037341l ") == "91110000600037341L"
    # §5.2 hand computation: sum 538, 538 mod 31 = 11, 31 - 11 = 20 -> 'L'
    assert ref_uscc_check("91110000600037341") == "L"
    assert USCC_ALPHABET[20] == "L"


@pytest.mark.parametrize(
    "first17",
    [
        "N2440524MA5T0KQ8P",  # 村级集体经济组织 (agriculture)
        "A1110000MB0012345",  # 中央军委改革和编制办公室
        "Y1320000MC1234567",  # 其他
        "52321000MJ0000001",  # 民办非企业单位 registered by 民政
    ],
)
def test_uscc_letter_prefixes_accepted(first17: str) -> None:
    code = make_uscc(first17)
    assert validate_uscc(code) == code


def test_stdnum_rejects_letter_prefixed_uscc_that_we_accept() -> None:
    code = make_uscc("N2440524MA5T0KQ8P")
    with pytest.raises(InvalidFormat):
        stdnum_uscc.validate(code)
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("91110000600037341", "invalid_length"),
        ("91110000600037341LL", "invalid_length"),
        ("01110000600037341L", "invalid_format"),  # dept 0 not allowed
        ("B1110000600037341L", "invalid_format"),  # dept B not allowed
        ("9A110000600037341L", "invalid_format"),  # pos 2 must be a digit
        ("911100A0600037341L", "invalid_format"),  # pos 3-8 digits
        ("91110000600037341I", "invalid_format"),  # I not in alphabet
        ("91110000O00037341L", "invalid_format"),  # O not in alphabet
        ("91110000600037341M", "invalid_checksum"),
        ("91110000600037342L", "invalid_checksum"),
    ],
)
def test_uscc_errors(raw: str, code: str) -> None:
    with pytest.raises(IdentifierError) as info:
        validate_uscc(raw)
    assert info.value.code == code
    assert raw not in info.value.message


uscc_first17 = st.builds(
    lambda a, b, c, d: a + b + c + d,
    st.sampled_from("123456789ANY"),
    st.sampled_from("0123456789"),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@given(uscc_first17)
def test_uscc_property_valid(first17: str) -> None:
    code = make_uscc(first17)
    assert validate_uscc(code) == code
    if first17[0].isdigit() and first17[8:].isdigit():
        # for all-digit prefixes stdnum agrees with us
        assert stdnum_uscc.is_valid(code)


@given(uscc_first17, st.integers(min_value=8, max_value=17), st.data())
def test_uscc_single_change_detected(first17: str, position: int, data: st.DataObject) -> None:
    code = make_uscc(first17)
    replacement = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(IdentifierError) as info:
        validate_uscc(changed)
    assert info.value.code == "invalid_checksum"


# --- phones ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("0514-87654321", "0514-87654321"),
        ("051487654321", "0514-87654321"),
        ("0514 8765432", "0514-8765432"),
        ("010-12345678", "010-12345678"),
        ("01062345678", "010-62345678"),
        ("020-8765432", "020-8765432"),
        ("（0514）87654321", "0514-87654321"),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12812345678",  # 12x is not a mobile prefix
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits starting with 1
        "+86 0514 87654321",
        "0514-0765432",  # local number cannot start with 0
        "0514-876543",  # too short
        "0514-876543210",  # too long
        "0101-2345678",  # 010 is a 3-digit area code
        "138abc45678",
        "110",
    ],
)
def test_normalize_phone_rejects(raw: str) -> None:
    with pytest.raises(IdentifierError) as info:
        normalize_phone(raw)
    assert info.value.code == "invalid_phone"


@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_mobile_property(second: str, rest: str) -> None:
    mobile = "1" + second + rest
    spaced = f"+86 {mobile[:3]} {mobile[3:7]}-{mobile[7:]}"
    assert normalize_phone(spaced) == mobile
    masked = mask_phone(spaced)
    assert masked == mobile[:3] + "****" + mobile[7:]


# --- masking -------------------------------------------------------------------


def test_mask_examples() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("11010519491231002x") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105******002"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0514-87654321") == "0514****4321"
    assert mask_phone("010-62345678") == "010****5678"
    assert mask_name("张三丰") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("张") == "*"
    assert mask_name("") == ""
    assert mask_address("江苏省扬州市邗江区文汇西路1号") == "江苏省扬州市****"
    assert mask_address("扬州市") == "扬****"
    assert mask_address("") == ""


def test_mask_odd_inputs() -> None:
    assert mask_id_number("") == ""
    assert mask_id_number("1234") == "1**4"
    masked = mask_id_number("1234567890")
    assert len(masked) == 10
    assert masked.count("*") >= 5
    assert mask_phone("not a phone") == "*" * len("notaphone")
    assert mask_phone("99999999999999") == "*" * 10 + "9999"


@given(addresses, birth_dates, sequences)
def test_mask_id_reveals_only_pattern(addr: str, born: date, seq: str) -> None:
    first17 = addr + born.strftime("%Y%m%d") + seq
    number = first17 + ref_ric_check(first17)
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6]
    assert masked[6:14] == "*" * 8
    assert masked[14:] == number[14:]


@given(st.text(min_size=0, max_size=40))
def test_masks_never_reveal_more_than_pattern(text: str) -> None:
    visible_id = [c for c in mask_id_number(text) if c != "*"]
    assert len(visible_id) <= 10
    name = mask_name(text)
    assert len([c for c in name if c != "*"]) <= 1
    address = mask_address(text)
    revealed = address.removesuffix("****")
    assert len(revealed) <= 6
    stripped = text.strip()
    if stripped:
        assert len(revealed) < len(stripped)
    phone = mask_phone(text)
    assert len([c for c in phone if c != "*"]) <= 8
