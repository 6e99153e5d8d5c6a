#!/bin/bash
# Fonts for plots (the corporate font and CJK coverage) and a matplotlibrc with the team's style,
# for every Python kernel of the notebook user.
set -euo pipefail
. lib/common.sh

FONT_SRC=$PERSISTENT/.fonts
FONT_DIR=/usr/share/fonts/team
MPLRC_DIR=$NOTEBOOK_HOME/.config/matplotlib

case $(pkg_manager) in
  dnf) install_packages google-noto-sans-cjk-ttc-fonts fontconfig ;;
  yum) install_packages google-noto-sans-cjk-fonts fontconfig ;;
esac

if [ -d "$FONT_SRC" ]; then
  mkdir -p "$FONT_DIR"
  find "$FONT_SRC" -maxdepth 1 -type f \( -name '*.ttf' -o -name '*.otf' \) -exec cp -f {} "$FONT_DIR/" \;
  fc-cache -f "$FONT_DIR" >/dev/null
  log "installed $(find "$FONT_DIR" -type f | wc -l) team font file(s)"
fi

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$MPLRC_DIR"
cat >"$MPLRC_DIR/matplotlibrc" <<'RC'
figure.figsize      : 10, 6
figure.dpi          : 110
savefig.dpi         : 200
savefig.bbox        : tight
font.family         : sans-serif
font.sans-serif     : Inter, Noto Sans CJK JP, DejaVu Sans
axes.grid           : True
axes.spines.top     : False
axes.spines.right   : False
axes.prop_cycle     : cycler('color', ['1f4e79', 'e07b39', '2e8b57', 'b22222', '6a5acd', '808080'])
grid.alpha          : 0.3
legend.frameon      : False
RC
chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$MPLRC_DIR/matplotlibrc"

# matplotlib caches the font list: clear it so that new fonts are found.
rm -rf "$NOTEBOOK_HOME/.cache/matplotlib"
log "matplotlib style written to $MPLRC_DIR/matplotlibrc"
