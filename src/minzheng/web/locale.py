"""Simplified Chinese unless the user chose another language with the switcher.

Django's LocaleMiddleware follows the browser's Accept-Language, so a caseworker on an English-language
phone would get English unasked. Here only the language cookie (set by the switcher at /i18n/setlang/)
changes the language; everyone else gets ``settings.LANGUAGE_CODE``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
