"""Coordinates for distances: haversine, and a deterministic stand-in point for any area code.

The operational store keeps no geometry for communities. Providers and needs carry coordinates when they
are known (a provider's address, the phone's position at a home visit); otherwise a *stand-in point* is
derived from the 12-digit area code: the district's real centre (approximate, from public maps), a street
offset inside the district's radius and a community offset around the street, both fixed by a hash of the
code. Stand-in points keep distances plausible (same community ≈ 0.5 km, same street ≈ 2 km, another
district tens of km) for the demo and the benchmark. No Django import: the bench uses it too.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

CITY_CENTRE = (41.8057, 123.4315)  # 沈阳市 (lat, lng)
# District centre (lat, lng) and the radius (km) in which its streets lie.
DISTRICTS: dict[str, tuple[float, float, float]] = {
    "210102": (41.7890, 123.4010, 3.0),  # 和平区
    "210103": (41.7960, 123.4560, 3.0),  # 沈河区
    "210104": (41.8080, 123.4700, 3.5),  # 大东区
    "210105": (41.8220, 123.4050, 3.5),  # 皇姑区
    "210106": (41.7960, 123.3500, 4.5),  # 铁西区
    "210111": (41.6650, 123.3400, 10.0),  # 苏家屯区
    "210112": (41.7150, 123.4500, 8.0),  # 浑南区
    "210113": (42.0530, 123.5200, 12.0),  # 沈北新区
    "210114": (41.7950, 123.3100, 8.0),  # 于洪区
    "210115": (41.5120, 122.7240, 18.0),  # 辽中区
    "210123": (42.7410, 123.3430, 20.0),  # 康平县
    "210124": (42.5000, 123.4160, 20.0),  # 法库县
    "210181": (41.9960, 122.8280, 20.0),  # 新民市
}
KM_PER_DEG_LAT = 111.2
EARTH_RADIUS_KM = 6371.0


def _unit(code: str, salt: str) -> tuple[float, float]:
    """Two numbers in [0, 1) fixed by ``code`` (blake2b, so identical on every machine and run)."""
    digest = hashlib.blake2b(f"{salt}:{code}".encode(), digest_size=8).digest()
    a = int.from_bytes(digest[:4], "big") / 2**32
    b = int.from_bytes(digest[4:], "big") / 2**32
    return a, b


def _offset(lat: float, lng: float, dist_km: float, angle: float) -> tuple[float, float]:
    dlat = dist_km * math.sin(angle) / KM_PER_DEG_LAT
    dlng = dist_km * math.cos(angle) / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lat + dlat, lng + dlng


def standin_point(code: str) -> tuple[float, float]:
    """A deterministic (lat, lng) for a 12-digit area code of any level."""
    code = (code or "").ljust(12, "0")
    lat, lng, radius = DISTRICTS.get(code[:6], (*CITY_CENTRE, 25.0))
    if code[:6] == "210100" or code[6:] == "000000":
        return lat, lng
    a, b = _unit(code[:9], "street")
    lat, lng = _offset(lat, lng, radius * math.sqrt(a), 2 * math.pi * b)
    if code[9:] == "000":
        return lat, lng
    a, b = _unit(code, "community")
    spread = 1.2 if radius <= 5 else 3.0
    return _offset(lat, lng, spread * math.sqrt(a), 2 * math.pi * b)


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def to_xy_km(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    """Planar (x, y) in km around the city centre (equirectangular; error < 0.5 % inside the city)."""
    lat = np.asarray(lat, dtype=np.float64)
    lng = np.asarray(lng, dtype=np.float64)
    x = (lng - CITY_CENTRE[1]) * KM_PER_DEG_LAT * math.cos(math.radians(CITY_CENTRE[0]))
    y = (lat - CITY_CENTRE[0]) * KM_PER_DEG_LAT
    return np.column_stack([x, y])
