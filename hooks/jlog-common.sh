# jlog-managed-hook: the common block of jlog's four hook shims, sourced by each of them (as husky's
# hooks source one script). `jlog init` copies it beside the shims; `jlog uninstall` removes it.
# jlog-hook-version: 3
# Built-ins only on the path that decides whether Node is needed, and only the top of this file is
# read there: a commit without a token must cost nothing. Hooks run at the work tree's top.
U=ABCDEFGHIJKLMNOPQRSTUVWXYZ
D=0123456789

# gd: this work tree's git dir. Git exports GIT_DIR in linked worktrees (2.39), not in the main one.
jlog_gitdir() {
  gd=${GIT_DIR:-}
  if [ -z "$gd" ]; then
    if [ -d .git ]; then
      gd=.git
    elif [ -f .git ]; then
      while IFS= read -r l || [ -n "$l" ]; do
        case $l in 'gitdir: '*) gd=${l#gitdir: } ;; esac
      done <.git
    fi
  fi
  if [ -z "$gd" ] || [ ! -d "$gd" ]; then gd=$(git rev-parse --git-dir 2>/dev/null) || gd=; fi
}

# cdir: the git dir shared by every worktree (the ledger lives in "$cdir/jlog").
jlog_commondir() {
  cdir=${GIT_COMMON_DIR:-}
  [ -n "$cdir" ] && return 0
  cdir=$gd
  if [ -f "$gd/commondir" ]; then
    IFS= read -r c <"$gd/commondir" || [ -n "$c" ]
    case $c in /*) cdir=$c ;; ?*) cdir=$gd/$c ;; esac
  fi
}

# jlog_run reads the rest of this file first: sh stops reading a sourced file at `return`, so a hook
# that never runs jlog never parses what follows.
jlog_run() {
  jlog_full=1
  . "$jlog_c"
  jlog_run_now "$@"
}
[ -n "${jlog_full:-}" ] || return 0

# Node for jlog. A GUI client may start git without the shell's PATH, so: the user's own
# ~/.config/jlog/init.sh first (as husky sources ~/.config/husky/init.sh), then PATH, then where nvm
# (its default alias), volta, fnm and the installers put it. A directory found is put on PATH, so
# `#!/usr/bin/env node` in jlog's bin works too. JLOG_NODE_DIRS replaces the two fixed system dirs.
jlog_node() {
  [ -n "${jlog_node_state:-}" ] && return "$jlog_node_state"
  jlog_node_state=0
  i=${XDG_CONFIG_HOME:-$HOME/.config}/jlog/init.sh
  # shellcheck disable=SC1090
  [ -f "$i" ] && . "$i"
  command -v node >/dev/null 2>&1 && return 0
  nvm=${NVM_DIR:-$HOME/.nvm}
  a=
  [ -f "$nvm/alias/default" ] && IFS= read -r a <"$nvm/alias/default"
  case $a in lts/*) [ -f "$nvm/alias/$a" ] && IFS= read -r a <"$nvm/alias/$a" ;; esac
  case $a in '' | node | stable | lts/*) a= ;; *) a=v${a#v} ;; esac
  nb=
  if [ -n "$a" ]; then
    for p in "$nvm/versions/node/$a" "$nvm/versions/node/$a".*; do [ -x "$p/bin/node" ] && nb=$p/bin; done
  fi
  if [ -z "$nb" ]; then
    for p in "$nvm/versions/node/"v*; do [ -x "$p/bin/node" ] && nb=$p/bin; done
  fi
  for p in "$nb" "${VOLTA_HOME:-$HOME/.volta}/bin" "${FNM_DIR:-$HOME/.local/share/fnm}/aliases/default/bin" \
    "$HOME/.fnm/aliases/default/bin" "$HOME/Library/Application Support/fnm/aliases/default/bin"; do
    if [ -n "$p" ] && [ -x "$p/node" ]; then
      PATH=$p:$PATH && export PATH && return 0
    fi
  done
  o=$IFS
  IFS=:
  for p in ${JLOG_NODE_DIRS-/opt/homebrew/bin:/usr/local/bin}; do
    if [ -n "$p" ] && [ -x "$p/node" ]; then
      IFS=$o && PATH=$p:$PATH && export PATH && return 0
    fi
  done
  IFS=$o
  jlog_node_state=1
  return 1
}

# jlog itself: the package this shim came from (husky's line runs it from node_modules/jlog/hooks),
# this work tree's node_modules, the main worktree's (a new `git worktree` has none), a package one
# folder down (app/node_modules, husky's monorepo layout), then PATH.
# Sets jlog_js (run with node) or jlog_exe (run as is); returns 1 when jlog is nowhere.
jlog_find() {
  jlog_js=
  jlog_exe=
  case ${0%/hooks/*} in
    */jlog) [ -f "${0%/hooks/*}/dist/jlog.js" ] && jlog_js=${0%/hooks/*}/dist/jlog.js && return 0 ;;
  esac
  jlog_gitdir
  jlog_commondir
  # The common dir of a main worktree is its .git: its parent is that worktree's top.
  for p in . "$cdir/.."; do
    # A jlog with the hooks' own build (jlog_run_now) is run by node straight, not through its bin.
    [ -f "$p/node_modules/jlog/dist/hook/hook.cjs" ] && jlog_js=$p/node_modules/jlog/dist/jlog.js && return 0
    [ -x "$p/node_modules/.bin/jlog" ] && jlog_exe=$p/node_modules/.bin/jlog && return 0
    [ -f "$p/node_modules/jlog/dist/jlog.js" ] && jlog_js=$p/node_modules/jlog/dist/jlog.js && return 0
  done
  # A package in a subfolder (a monorepo's app/, where a husky in a subfolder also lives).
  for p in ./*/node_modules/jlog/dist/jlog.js "$cdir"/../*/node_modules/jlog/dist/jlog.js; do
    [ -f "$p" ] && jlog_js=$p && return 0
  done
  if j=$(command -v jlog 2>/dev/null) && [ -n "$j" ]; then
    # npm's global layout (<prefix>/bin/jlog, <prefix>/lib/node_modules/jlog): the hooks' own build.
    p=${j%/bin/jlog}/lib/node_modules/jlog/dist
    [ -f "$p/hook/hook.cjs" ] && jlog_js=$p/jlog.js && return 0
    jlog_exe=jlog && return 0
  fi
  # Last resort (slow, ~1 s): npx finds a jlog in a parent's node_modules. Ask it for the path first, so
  # that npx's own "not found" (exit 1) is never taken for jlog's answer.
  if command -v npx >/dev/null 2>&1; then
    j=$(npx --no-install --offline -c 'command -v jlog' 2>/dev/null) || j=
    [ -n "$j" ] && [ -x "$j" ] && jlog_exe=$j && return 0
  fi
  return 1
}

# Runs `jlog hook "$@"` and returns its status. Never fails git for a missing jlog or Node: says so in
# one line (post-commit first queues HEAD with sh alone, so the token is not lost) and returns 0.
jlog_run_now() {
  if [ -n "${JLOG_BIN:-}" ]; then
    if [ ! -f "$JLOG_BIN" ]; then
      echo "jlog: JLOG_BIN=$JLOG_BIN not found, skipping $1" >&2
      return 0
    fi
    case $JLOG_BIN in
      *.js | *.mjs | *.cjs) jlog_js=$JLOG_BIN ;;
      *)
        "$JLOG_BIN" hook "$@"
        return
        ;;
    esac
  elif ! jlog_node; then
    jlog_missing "$1" node
    return 0
  elif ! jlog_find; then
    jlog_missing "$1" jlog
    return 0
  fi
  if [ -n "$jlog_js" ]; then
    if ! jlog_node; then
      jlog_missing "$1" node
      return 0
    fi
    # The hooks' own CommonJS build beside jlog.js: `jlog hook` without Node's ES-module loader, which
    # was a good part of a token commit's cost (issue 13). An older jlog has none.
    if [ -f "${jlog_js%/*}/hook/hook.cjs" ]; then
      node "${jlog_js%/*}/hook/hook.cjs" "$@"
      return
    fi
    node "$jlog_js" hook "$@"
    return
  fi
  "$jlog_exe" hook "$@"
}

# One line about what is missing; post-commit also appends HEAD to "$cdir/jlog/queue", which the next
# hook that runs jlog records (nothing lost).
jlog_missing() {
  q=
  [ "$1" = post-commit ] && jlog_queue && q="queued ${sha%"${sha#???????}"} for the next hook that finds it; "
  if [ "$2" = node ]; then
    echo "jlog: node not found on PATH, $1 skipped; ${q}fix: put PATH=\"<node's dir>:\$PATH\" in ${XDG_CONFIG_HOME:-$HOME/.config}/jlog/init.sh" >&2
  else
    echo "jlog: not found, $1 skipped; ${q}install it: npm i -D jlog" >&2
  fi
}

# HEAD's SHA onto the queue with sh alone; never through a symlink (the ledger dir's rule).
jlog_queue() {
  jlog_gitdir
  [ -n "$gd" ] || return 1
  jlog_commondir
  sha=
  IFS= read -r h <"$gd/HEAD" || [ -n "$h" ] || return 1
  case $h in
    'ref: '*)
      r=${h#ref: }
      if [ -f "$cdir/$r" ]; then
        IFS= read -r sha <"$cdir/$r"
      elif [ -f "$gd/$r" ]; then
        IFS= read -r sha <"$gd/$r"
      else
        sha=$(git rev-parse -q --verify HEAD 2>/dev/null) || sha=
      fi
      ;;
    *) sha=$h ;;
  esac
  case $sha in '' | *[!0-9a-f]*) return 1 ;; esac
  [ -L "$cdir/jlog" ] && return 1
  if [ ! -d "$cdir/jlog" ]; then mkdir -m 700 "$cdir/jlog" 2>/dev/null || return 1; fi
  [ -L "$cdir/jlog/queue" ] && return 1
  echo "$sha" >>"$cdir/jlog/queue" || return 1
}
