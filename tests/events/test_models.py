import datetime

import pytest
from django.core.exceptions import ValidationError

from events.models import Event, OrganisationAlias
from tests.factories import OrganisationFactory


@pytest.mark.parametrize(
    ("fields", "error_field", "code"),
    [
        ({"date_end": datetime.date(2022, 1, 1)}, "date_end", "end_without_start"),
        ({"date_precision": "day"}, "date_precision", "precision_without_date"),
        ({"date_start": datetime.date(2022, 1, 1)}, "date_precision", "date_without_precision"),
        (
            {
                "date_start": datetime.date(2022, 4, 29),
                "date_end": datetime.date(2022, 4, 27),
                "date_precision": "day",
            },
            "date_end",
            "end_before_start",
        ),
    ],
)
def test_event_clean_names_the_field_and_reason(fields, error_field, code):
    event = Event(title="首届大国工匠论坛举办", **fields)
    with pytest.raises(ValidationError) as caught:
        event.clean()
    assert caught.value.error_dict[error_field][0].code == code


@pytest.mark.django_db
def test_an_alias_may_not_be_another_organisations_name():
    acftu = OrganisationFactory(name="中华全国总工会")
    beijing = OrganisationFactory(name="北京市总工会")
    alias = OrganisationAlias(organisation=beijing, name="中华全国总工会")
    with pytest.raises(ValidationError) as caught:
        alias.clean()
    assert caught.value.error_dict["name"][0].code == "alias_is_other_name"
    OrganisationAlias(organisation=acftu, name="全总").clean()
