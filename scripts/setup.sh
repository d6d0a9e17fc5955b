#!/usr/bin/env bash
# Set up everything armstrace needs on a fresh Debian machine: system packages,
# a virtual environment in .venv, and the package with its pinned ranges.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: a compiler and ICU for PyICU (used by the country-name library);
# LibreOffice (headless) to convert legacy DOC, XLS and PPT files; Tesseract with its Russian,
# English, Azerbaijani, Armenian, Ukrainian and Belarusian data for OCR, and DejaVu fonts (Cyrillic)
# for the test scans.
APT_PACKAGES=(libicu-dev pkg-config g++ tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng tesseract-ocr-aze
  tesseract-ocr-hye tesseract-ocr-ukr tesseract-ocr-bel fonts-dejavu-core libreoffice-core libreoffice-writer libreoffice-calc libreoffice-impress)
if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "armstrace setup: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[dev,bench]"
