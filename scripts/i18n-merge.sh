#!/usr/bin/env bash
# Merge French translations written alongside a change (PO files given as arguments, e.g.
# var/i18n/*.po) into the catalogue, after extracting the current strings. Existing
# translations win; the new ones fill what is untranslated. Then compile.
set -euo pipefail
cd "$(dirname "$0")/.."
PO=parvis/locale/fr/LC_MESSAGES/django.po
(cd parvis && ../.venv/bin/python ../manage.py makemessages -l fr --no-obsolete -v 0)
tmp=$(mktemp -d)
# makemessages guesses translations for new strings from similar old ones ("fuzzy"): drop the guesses.
msgattrib --clear-fuzzy --empty --clear-previous --no-wrap "$PO" -o "$tmp/clean.po" && cp "$tmp/clean.po" "$PO"
msgattrib --translated --no-fuzzy "$PO" -o "$tmp/done.po"
if [ "$#" -gt 0 ]; then
  msgcat --use-first "$tmp/done.po" "$@" -o "$tmp/all.po"
else
  cp "$tmp/done.po" "$tmp/all.po"
fi
msgmerge --quiet --no-fuzzy-matching --no-wrap "$tmp/all.po" "$PO" -o "$tmp/merged.po"
# msgmerge keeps the header of the definitions file; put back the catalogue's.
cp "$tmp/merged.po" "$PO"
rm -rf "$tmp"
(cd parvis && ../.venv/bin/python ../manage.py compilemessages -l fr -v 0)
echo "untranslated: $(msgattrib --untranslated "$PO" | grep -c '^msgid' || true)"
