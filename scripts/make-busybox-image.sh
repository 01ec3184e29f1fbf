#!/usr/bin/env bash
# Writes a tar of a minimal root filesystem made from Debian's busybox-static
# (what `shoal image import` / `docker import` take), shaped like a real
# image built FROM scratch: relative applet links, no /proc /sys /dev (the
# runtime makes its mount points). Usage: make-busybox-image.sh OUT.tar
set -euo pipefail
out=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,var/www}
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list-full); do
  [ "$applet" = bin/busybox ] && continue
  up=$(dirname "$applet" | sed -E 's|[^/]+|..|g')
  ln -sf "$up/bin/busybox" "$root/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
printf '<h1>hello from shoal</h1>\n' > "$root/var/www/index.html"
tar --numeric-owner -C "$root" -cf "$out" .
