from pathlib import Path

import pytest

from sources.normalise import normalise
from sources.reading import read_path

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "fixtures" / "seeds"
DATA = Path(__file__).resolve().parent / "data"
SEED_NAMES = {
    "pdf_chronicle": "000_ec886a1654eefea1.txt",
    "web_chronicle": "001_cc9b9e4083e5dcfd.txt",
    "report": "002_3e78385779fe9d26.txt",
    "top_ten": "003_8207376e8224c9f5.txt",
}


def seed_raw(key: str) -> str:
    return read_path(SEEDS / SEED_NAMES[key]).text


def seed_normalised(key: str) -> str:
    return normalise(seed_raw(key)).text


@pytest.fixture(params=sorted(SEED_NAMES))
def seed_key(request: pytest.FixtureRequest) -> str:
    return request.param
