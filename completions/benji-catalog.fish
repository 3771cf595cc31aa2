function __benji-catalog_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __benji-catalog_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __benji-catalog_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __benji-catalog_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __benji-catalog_parse_tokens -S
    set -l unparsed_tokens (__benji-catalog_tokens -pc)
    switch $unparsed_tokens[1]
    case 'benji-catalog'
        __benji-catalog_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'dedup'
            __benji-catalog_parse_subcommand 0 'catalog=' 'store=' 'config=' 'h/help'
        case 'commit'
            __benji-catalog_parse_subcommand 0 'catalog=' 'store=' 'config=' 'quiet' 'h/help'
        case 'blocks'
            __benji-catalog_parse_subcommand 1 'catalog=' 'store=' 'config=' 'h/help'
        case 'ls'
            __benji-catalog_parse_subcommand 0 'catalog=' 'store=' 'config=' 'volume=' 'json' 'h/help'
        case 'rm'
            __benji-catalog_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'h/help'
        case 'protect'
            __benji-catalog_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'h/help'
        case 'unprotect'
            __benji-catalog_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'h/help'
        case 'help'
            __benji-catalog_parse_subcommand -r 1 
        end
    end
end

function __benji-catalog_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __benji-catalog_parse_subcommand -S -a positional_count
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

function __benji-catalog_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __benji-catalog_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__benji-catalog_tokens -p)
    if test -z "$(__benji-catalog_tokens -t)"
        set -l index (count (__benji-catalog_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'benji-catalog' -f
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_positional "benji-catalog" -eq 1' -fa 'dedup' -d 'Drop the data of blocks the store already holds.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_positional "benji-catalog" -eq 1' -fa 'commit' -d 'Record a whole block stream as a new version, atomically; print its version record.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_positional "benji-catalog" -eq 1' -fa 'blocks' -d 'Emit a version\'s blocks as a record stream (the start of a restore).'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_positional "benji-catalog" -eq 1' -fa 'ls' -d 'List versions.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_positional "benji-catalog" -eq 1' -fa 'rm' -d 'Remove versions from the catalog.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_positional "benji-catalog" -eq 1' -fa 'protect' -d 'Protect versions from removal.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_positional "benji-catalog" -eq 1' -fa 'unprotect' -d 'Allow versions to be removed again.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_positional "benji-catalog" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog dedup" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog dedup" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog dedup" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog dedup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog commit" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog commit" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog commit" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog commit" quiet' -l 'quiet' -d 'Print only the version id instead of the version record.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog commit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog blocks" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog blocks" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog blocks" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog blocks" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog ls" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog ls" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog ls" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog ls" volume' -l 'volume' -d 'Only versions of this volume.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog ls" json' -l 'json' -d 'Print version records instead of a table.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog rm" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog rm" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog rm" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog protect" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog protect" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog protect" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog protect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog unprotect" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog unprotect" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog unprotect" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-catalog' -n '__benji-catalog_should_offer_completions_for_flags_or_options "benji-catalog unprotect" h help' -s 'h' -l 'help' -d 'Show help information.'
