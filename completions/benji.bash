#!/bin/bash

__benji_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__benji_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__benji_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__benji_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_benji() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __benji_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    init|backup|restore|ls|rm|protect|unprotect|keygen|key|rekey|diff|chunk|catalog|seal|put|write|help)
        # Offer subcommand argument completions
        "_benji_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'init backup restore ls rm protect unprotect keygen key rekey diff chunk catalog seal put write help' -- "${cur}"))
        ;;
    esac
}

_benji_init() {
    repeating_flags=()
    non_repeating_flags=(--no-config --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config --key-file --passphrase-file --public-key --writer-key)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--key-file')
        return
        ;;
    '--passphrase-file')
        return
        ;;
    '--public-key')
        return
        ;;
    '--writer-key')
        return
        ;;
    esac
}

_benji_backup() {
    repeating_flags=()
    non_repeating_flags=(--no-compression --no-check --json --version -h --help)
    repeating_options=(--label)
    non_repeating_options=(--catalog --store --config --hints --snapshot --base --block-size --expect-size --level --key-file --passphrase-file)
    __benji_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--hints')
        return
        ;;
    '--snapshot')
        return
        ;;
    '--base')
        return
        ;;
    '--label')
        return
        ;;
    '--block-size')
        return
        ;;
    '--expect-size')
        return
        ;;
    '--level')
        return
        ;;
    '--key-file')
        return
        ;;
    '--passphrase-file')
        return
        ;;
    esac
}

_benji_restore() {
    repeating_flags=()
    non_repeating_flags=(--sparse --force --json --fsync --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config --key-file --passphrase-file)
    __benji_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--key-file')
        return
        ;;
    '--passphrase-file')
        return
        ;;
    esac
}

_benji_ls() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config --volume)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--volume')
        return
        ;;
    esac
}

_benji_rm() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_protect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_unprotect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_keygen() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--type)
    __benji_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--type')
        __benji_add_completions -W 'aes-256'$'\n''x25519'$'\n''p-384'
        return
        ;;
    esac
}

_benji_key() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __benji_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|retire)
        # Offer subcommand argument completions
        "_benji_key_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list retire' -- "${cur}"))
        ;;
    esac
}

_benji_key_add() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config --key-file --passphrase-file --new-key-file --new-passphrase-file --new-public-key --writer-key)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--key-file')
        return
        ;;
    '--passphrase-file')
        return
        ;;
    '--new-key-file')
        return
        ;;
    '--new-passphrase-file')
        return
        ;;
    '--new-public-key')
        return
        ;;
    '--writer-key')
        return
        ;;
    esac
}

_benji_key_list() {
    repeating_flags=()
    non_repeating_flags=(--usage --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_key_retire() {
    repeating_flags=()
    non_repeating_flags=(--force --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config --key-file --passphrase-file)
    __benji_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--key-file')
        return
        ;;
    '--passphrase-file')
        return
        ;;
    esac
}

_benji_rekey() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config --key-file --passphrase-file --to --new-key-file --new-passphrase-file)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--key-file')
        return
        ;;
    '--passphrase-file')
        return
        ;;
    '--to')
        return
        ;;
    '--new-key-file')
        return
        ;;
    '--new-passphrase-file')
        return
        ;;
    esac
}

_benji_diff() {
    repeating_flags=()
    non_repeating_flags=(--no-check --version -h --help)
    repeating_options=(--label)
    non_repeating_options=(--catalog --store --config --hints --snapshot --base --block-size --expect-size)
    __benji_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--hints')
        return
        ;;
    '--snapshot')
        return
        ;;
    '--base')
        return
        ;;
    '--label')
        return
        ;;
    '--block-size')
        return
        ;;
    '--expect-size')
        return
        ;;
    esac
}

_benji_chunk() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--label)
    non_repeating_options=(--source --snapshot --base --block-size --expect-size --catalog --store --config)
    __benji_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--source')
        return
        ;;
    '--snapshot')
        return
        ;;
    '--base')
        return
        ;;
    '--label')
        return
        ;;
    '--block-size')
        return
        ;;
    '--expect-size')
        return
        ;;
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_catalog() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __benji_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    dedup|commit|blocks|ls|rm|protect|unprotect)
        # Offer subcommand argument completions
        "_benji_catalog_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'dedup commit blocks ls rm protect unprotect' -- "${cur}"))
        ;;
    esac
}

_benji_catalog_dedup() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_catalog_commit() {
    repeating_flags=()
    non_repeating_flags=(--quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_catalog_blocks() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_catalog_ls() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config --volume)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--volume')
        return
        ;;
    esac
}

_benji_catalog_rm() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_catalog_protect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_catalog_unprotect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_seal() {
    repeating_flags=()
    non_repeating_flags=(--open --no-compression --version -h --help)
    repeating_options=()
    non_repeating_options=(--level --catalog --store --config --key-file --passphrase-file)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--level')
        return
        ;;
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    '--key-file')
        return
        ;;
    '--passphrase-file')
        return
        ;;
    esac
}

_benji_put() {
    repeating_flags=()
    non_repeating_flags=(--get --version -h --help)
    repeating_options=()
    non_repeating_options=(--catalog --store --config)
    __benji_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--catalog')
        return
        ;;
    '--store')
        return
        ;;
    '--config')
        return
        ;;
    esac
}

_benji_write() {
    repeating_flags=()
    non_repeating_flags=(--sparse --force --json --fsync --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __benji_offer_flags_options 1
}

_benji_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __benji_offer_flags_options -1
}

complete -o filenames -F _benji benji
