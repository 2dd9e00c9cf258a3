import pytest

from autodcc.core import phone
from autodcc.core.errors import DomainError


@pytest.mark.parametrize("raw", ["13812341234", "+86 138 1234 1234", "0086-13812341234", " 138-1234-1234 ", "19912345678"])
def test_it_stores_mobiles_as_e164(raw):
    assert phone.normalize_mobile(raw).startswith("+86")
    assert len(phone.normalize_mobile(raw)) == 14


@pytest.mark.parametrize("raw", ["", "1381234123", "138123412345", "14012341234", "abc", "+1 415 555 0100", "12345678901"])
def test_it_refuses_what_is_not_a_mainland_mobile(raw, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with pytest.raises(DomainError) as exc:
        phone.normalize_mobile(raw)
    assert exc.value.field == "phone"
    assert exc.value.code == "phone.not_mobile"  # the message asks for a mobile number


def test_it_refuses_a_landline_where_a_mobile_is_needed():
    with pytest.raises(DomainError) as exc:
        phone.normalize_mobile("021-58880001")
    assert exc.value.code == "phone.not_mobile"
    assert phone.normalize_phone("021-58880001") == "+862158880001"


def test_it_masks_for_staff_lists():
    assert phone.mask("+8613812341234") == "138****1234"
    assert phone.national("+8613812341234") == "13812341234"
    assert phone.mask("") == ""


def test_it_explains_a_bad_phone_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as exc:
            phone.normalize_mobile("12345")
        assert "手机" in exc.value.message or "电话" in exc.value.message
        assert "12345" in exc.value.message
