#!/usr/bin/env bash
# Regenerates every raster icon from the two SVG drawings. Needs rsvg-convert (librsvg2-bin),
# ImageMagick (convert) and png2icns (icnsutils). Run from anywhere: icons/render.sh
set -euo pipefail
cd "$(dirname "$0")"

for size in 16 24 32 48 64 128 256 512 1024; do
    # below 48 px the simplified drawing stays legible; the master drawing turns to mush
    if [ "$size" -lt 48 ]; then src=cost-gateway-small.svg; else src=cost-gateway.svg; fi
    rsvg-convert -w "$size" -h "$size" "$src" -o "png/cost-gateway-$size.png"
done

# Windows: one .ico with every size Explorer and the taskbar ask for
convert png/cost-gateway-{16,24,32,48,64,128,256}.png cost-gateway.ico
# macOS: png2icns picks the icns slot from each PNG's size
png2icns cost-gateway.icns png/cost-gateway-{16,32,48,128,256,512,1024}.png >/dev/null

# the JavaFX window (Stage.getIcons) uses these from the classpath
window_icons=../src/main/resources/dev/costgateway/app/icons
mkdir -p "$window_icons"
for size in 32 64 128 256; do
    cp "png/cost-gateway-$size.png" "$window_icons/cost-gateway-$size.png"
done
