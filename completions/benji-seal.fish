function __benji-seal_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __benji-seal_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __benji-seal_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __benji-seal_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __benji-seal_parse_tokens -S
    set -l unparsed_tokens (__benji-seal_tokens -pc)
    switch $unparsed_tokens[1]
    case 'benji-seal'
        __benji-seal_parse_subcommand 0 'open' 'level=' 'no-compression' 'catalog=' 'store=' 'config=' 'key-file=' 'passphrase-file=' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __benji-seal_parse_subcommand -r 1 
        end
    end
end

function __benji-seal_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __benji-seal_parse_subcommand -S -a positional_count
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

function __benji-seal_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __benji-seal_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__benji-seal_tokens -p)
    if test -z "$(__benji-seal_tokens -t)"
        set -l index (count (__benji-seal_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'benji-seal' -f
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" open' -l 'open' -d 'Open sealed objects instead: authenticate, decrypt, decompress and verify them.'
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" level' -l 'level' -d 'zstd level, -131072 to 22: 1 (the default) to 19 for everyday use, 20 to 22 for the smallest objects, negative for zstd\'s fastest levels; 0 is zstd\'s default, 3.' -rfka ''
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" no-compression' -l 'no-compression' -d 'Store objects uncompressed.'
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" key-file' -l 'key-file' -d 'The store\'s key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.' -rfka ''
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" passphrase-file' -l 'passphrase-file' -d 'A file whose first line is the store\'s passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.' -rfka ''
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_flags_or_options "benji-seal" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji-seal' -n '__benji-seal_should_offer_completions_for_positional "benji-seal" -eq 1' -fa 'help' -d 'Show subcommand help information.'
