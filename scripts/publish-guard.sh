#!/usr/bin/env bash
# prepublishOnly of @ringpipe/cli: npm publish would ship its "workspace:*" dependency as it is;
# pnpm publish (like pnpm pack) writes the client's version in its place.
case "${npm_config_user_agent:-}" in
  pnpm/*) exit 0 ;;
esac
echo "publish with pnpm publish: npm publish would ship the dependency @ringpipe/client as workspace:*" >&2
exit 1
