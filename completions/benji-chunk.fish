function __benji-chunk_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __benji-chunk_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __benji-chunk_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __benji-chunk_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __benji-chunk_parse_tokens -S
    set -l unparsed_tokens (__benji-chunk_tokens -pc)
    switch $unparsed_tokens[1]
    case 'benji-chunk'
        __benji-chunk_parse_subcommand 2 'source=' 'snapshot=' 'base=' 'label=+' 'block-size=' 'expect-size=' 'catalog=' 'store=' 'config=' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __benji-chunk_parse_subcommand -r 1 
        end
    end
end

function __benji-chunk_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __benji-chunk_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __benji-chunk_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __benji-chunk_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__benji-chunk_tokens -p)
    if test -z "$(__benji-chunk_tokens -t)"
        set -l index (count (__benji-chunk_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'benji-chunk' -f
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" source' -l 'source' -d 'With a plan on stdin: read from here instead of the plan\'s source (a path of the same size; the version records this one).' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" snapshot' -l 'snapshot' -d 'A name for the snapshot the data comes from (free text, e.g. the RBD snapshot).' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" base' -l 'base' -d 'A version to build on: blocks the stream does not list are taken from it.' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk"' -l 'label' -d 'A label for the version (repeatable).' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" block-size' -l 'block-size' -d 'Block size: a multiple of 4 KiB up to 64 MiB (e.g. 4M, 64K). Default: the base\'s, else 4 MiB.' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" expect-size' -l 'expect-size' -d 'The size the source must have, in bytes or with K, M, G or T (e.g. 10G). A stream that ends short (a dropped connection) or runs long, or a file or device of another size, is refused and nothing is committed.' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_flags_or_options "benji-chunk" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-chunk' -n '__benji-chunk_should_offer_completions_for_positional "benji-chunk" -eq 1' -fa 'help' -d 'Show subcommand help information.'
