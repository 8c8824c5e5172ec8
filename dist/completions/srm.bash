# bash completion for srm (installed to share/bash-completion/completions/srm).
# It asks srm itself what exists (`srm help`, `srm admin --help`, `srm CMD --help`), so it
# never falls behind the binary.
_srm() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words="" cmd=()
	local i

	case "$prev" in
	--config | --socket | -c) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	# the command words so far (up to two after "admin")
	for ((i = 1; i < COMP_CWORD; i++)); do
		case "${COMP_WORDS[i]}" in -*) break ;; esac
		cmd+=("${COMP_WORDS[i]}")
	done
	if [[ $cur == -* ]]; then
		words=$(srm "${cmd[@]}" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)
	elif [ ${#cmd[@]} -eq 0 ]; then
		words=$(srm help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
	elif [ "${cmd[0]}" = admin ] && [ ${#cmd[@]} -eq 1 ]; then
		words=$(srm admin --help 2>/dev/null | sed -n 's/^  srm admin \([a-z][a-z]*\).*/\1/p' | sort -u)
	elif [ "${cmd[0]}" = admin ] && [ ${#cmd[@]} -eq 2 ]; then
		words=$(srm admin --help 2>/dev/null | sed -n "s/^  srm admin ${cmd[1]} \\([a-z][a-z]*\\).*/\\1/p")
	fi
	if [ -n "$words" ]; then
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _srm srm
