function __benji_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __benji_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __benji_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __benji_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __benji_parse_tokens -S
    set -l unparsed_tokens (__benji_tokens -pc)
    switch $unparsed_tokens[1]
    case 'benji'
        __benji_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __benji_parse_subcommand 0 'catalog=' 'store=' 'config=' 'key-file=' 'passphrase-file=' 'public-key=' 'writer-key=' 'no-config' 'version' 'h/help'
        case 'backup'
            __benji_parse_subcommand 2 'catalog=' 'store=' 'config=' 'hints=' 'snapshot=' 'base=' 'label=+' 'block-size=' 'expect-size=' 'level=' 'no-compression' 'key-file=' 'passphrase-file=' 'no-check' 'json' 'version' 'h/help'
        case 'restore'
            __benji_parse_subcommand 2 'catalog=' 'store=' 'config=' 'sparse' 'force' 'json' 'fsync' 'key-file=' 'passphrase-file=' 'version' 'h/help'
        case 'ls'
            __benji_parse_subcommand 0 'catalog=' 'store=' 'config=' 'volume=' 'json' 'version' 'h/help'
        case 'rm'
            __benji_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'version' 'h/help'
        case 'protect'
            __benji_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'version' 'h/help'
        case 'unprotect'
            __benji_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'version' 'h/help'
        case 'keygen'
            __benji_parse_subcommand 1 'type=' 'version' 'h/help'
        case 'key'
            __benji_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __benji_parse_subcommand 0 'catalog=' 'store=' 'config=' 'key-file=' 'passphrase-file=' 'new-key-file=' 'new-passphrase-file=' 'new-public-key=' 'writer-key=' 'version' 'h/help'
            case 'list'
                __benji_parse_subcommand 0 'catalog=' 'store=' 'config=' 'usage' 'json' 'version' 'h/help'
            case 'retire'
                __benji_parse_subcommand 1 'catalog=' 'store=' 'config=' 'key-file=' 'passphrase-file=' 'force' 'version' 'h/help'
            end
        case 'rekey'
            __benji_parse_subcommand 0 'catalog=' 'store=' 'config=' 'key-file=' 'passphrase-file=' 'to=' 'new-key-file=' 'new-passphrase-file=' 'json' 'version' 'h/help'
        case 'diff'
            __benji_parse_subcommand 2 'catalog=' 'store=' 'config=' 'hints=' 'snapshot=' 'base=' 'label=+' 'block-size=' 'expect-size=' 'no-check' 'version' 'h/help'
        case 'chunk'
            __benji_parse_subcommand 2 'source=' 'snapshot=' 'base=' 'label=+' 'block-size=' 'expect-size=' 'catalog=' 'store=' 'config=' 'version' 'h/help'
        case 'catalog'
            __benji_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'dedup'
                __benji_parse_subcommand 0 'catalog=' 'store=' 'config=' 'version' 'h/help'
            case 'commit'
                __benji_parse_subcommand 0 'catalog=' 'store=' 'config=' 'quiet' 'version' 'h/help'
            case 'blocks'
                __benji_parse_subcommand 1 'catalog=' 'store=' 'config=' 'version' 'h/help'
            case 'ls'
                __benji_parse_subcommand 0 'catalog=' 'store=' 'config=' 'volume=' 'json' 'version' 'h/help'
            case 'rm'
                __benji_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'version' 'h/help'
            case 'protect'
                __benji_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'version' 'h/help'
            case 'unprotect'
                __benji_parse_subcommand -r 1 'catalog=' 'store=' 'config=' 'version' 'h/help'
            end
        case 'seal'
            __benji_parse_subcommand 0 'open' 'level=' 'no-compression' 'catalog=' 'store=' 'config=' 'key-file=' 'passphrase-file=' 'version' 'h/help'
        case 'put'
            __benji_parse_subcommand 0 'get' 'catalog=' 'store=' 'config=' 'version' 'h/help'
        case 'write'
            __benji_parse_subcommand 1 'sparse' 'force' 'json' 'fsync' 'version' 'h/help'
        case 'help'
            __benji_parse_subcommand -r 1 'version'
        end
    end
end

function __benji_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __benji_parse_subcommand -S -a positional_count
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

function __benji_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __benji_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__benji_tokens -p)
    if test -z "$(__benji_tokens -t)"
        set -l index (count (__benji_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'benji' -f
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'init' -d 'Create a store and a catalog, and a configuration file that names them.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'backup' -d 'Back up a file, a block device or stdin as a new version of VOLUME; print the version id.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'restore' -d 'Restore a version to a file, a block device or stdout (-).'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'ls' -d 'List versions.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'rm' -d 'Remove versions from the catalog.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'protect' -d 'Protect versions from removal.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'unprotect' -d 'Allow versions to be removed again.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'keygen' -d 'Write a new random key to FILE (mode 0600).'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'key' -d 'Manage the master keys of an encrypted store.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'rekey' -d 'Rewrap every object\'s data key under master key ID, without re-encrypting any data.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'diff' -d 'Plan a backup: emit the blocks of SOURCE to read, as a record stream.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'chunk' -d 'Read blocks: add each block\'s SHA-256 and data (base64), or mark it zero.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'catalog' -d 'The catalog\'s side of the pipeline (dedup, commit, blocks) and version management.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'seal' -d 'Seal block data into stored objects (zstd, AES-256-GCM), or --open them again.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'put' -d 'Write sealed objects to the store, or --get them back.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'write' -d 'Write a block stream with data to a file, a block device or stdout (the end of a restore).'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" key-file' -l 'key-file' -d 'The store\'s key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" passphrase-file' -l 'passphrase-file' -d 'A file whose first line is the store\'s passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" public-key' -l 'public-key' -d 'Encrypt for this public key (PEM, from benji keygen --type x25519 or p-384): a write-only store.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" writer-key' -l 'writer-key' -d 'With --public-key: where to write this host\'s writer key (created, mode 0600).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" no-config' -l 'no-config' -d 'Do not write a configuration file.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" hints' -l 'hints' -d 'Changed extents: `rbd diff --format=json` output or NDJSON extent records.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" snapshot' -l 'snapshot' -d 'A name for the snapshot the data comes from (free text, e.g. the RBD snapshot).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" base' -l 'base' -d 'A version to build on: blocks the stream does not list are taken from it.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup"' -l 'label' -d 'A label for the version (repeatable).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" block-size' -l 'block-size' -d 'Block size: a multiple of 4 KiB up to 64 MiB (e.g. 4M, 64K). Default: the base\'s, else 4 MiB.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" expect-size' -l 'expect-size' -d 'The size the source must have, in bytes or with K, M, G or T (e.g. 10G). A stream that ends short (a dropped connection) or runs long, or a file or device of another size, is refused and nothing is committed.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" level' -l 'level' -d 'zstd level, -131072 to 22: 1 (the default) to 19 for everyday use, 20 to 22 for the smallest objects, negative for zstd\'s fastest levels; 0 is zstd\'s default, 3.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" no-compression' -l 'no-compression' -d 'Store objects uncompressed.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" key-file' -l 'key-file' -d 'The store\'s key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" passphrase-file' -l 'passphrase-file' -d 'A file whose first line is the store\'s passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" no-check' -l 'no-check' -d 'Do not re-read a sample of blocks outside the hints.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" json' -l 'json' -d 'Print the version record instead of the id.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji backup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" sparse' -l 'sparse' -d 'Leave zero blocks as holes (files) or unmapped (devices) instead of writing zeros.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" force' -l 'force' -d 'Overwrite an existing target (a file in place: it keeps its mode; one interrupted is left partly overwritten).'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" json' -l 'json' -d 'Print bad ranges as records on stdout (not when stdout is the target: then only the lines on stderr).'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" fsync' -l 'fsync' -d 'Flush a restored file to stable storage before exiting (a device always is).'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" key-file' -l 'key-file' -d 'The store\'s key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" passphrase-file' -l 'passphrase-file' -d 'A file whose first line is the store\'s passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji restore" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji ls" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji ls" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji ls" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji ls" volume' -l 'volume' -d 'Only versions of this volume.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji ls" json' -l 'json' -d 'Print version records instead of a table.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji ls" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rm" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rm" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rm" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rm" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji protect" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji protect" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji protect" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji protect" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji protect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji unprotect" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji unprotect" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji unprotect" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji unprotect" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji unprotect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji keygen" type' -l 'type' -d 'aes-256, x25519 or p-384.' -rfka 'aes-256 x25519 p-384'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji keygen" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji keygen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji key" -eq 1' -fa 'add' -d 'Add a master key to the store; print its id.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji key" -eq 1' -fa 'list' -d 'List the store\'s master keys.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji key" -eq 1' -fa 'retire' -d 'Remove a master key from the store, once no object is wrapped under it.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" key-file' -l 'key-file' -d 'The store\'s key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" passphrase-file' -l 'passphrase-file' -d 'A file whose first line is the store\'s passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" new-key-file' -l 'new-key-file' -d 'The new AES key: a key file (benji keygen).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" new-passphrase-file' -l 'new-passphrase-file' -d 'The new passphrase: a file whose first line is it. Else $BENJI_NEW_PASSPHRASE.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" new-public-key' -l 'new-public-key' -d 'A public key (PEM, X25519 or P-384; benji keygen --type): hosts that have only the writer key can back up but not read.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" writer-key' -l 'writer-key' -d 'With --new-public-key: where to write the writer key (created, mode 0600).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key list" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key list" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key list" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key list" usage' -l 'usage' -d 'Count the objects each key wraps (reads every object header).'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key list" json' -l 'json' -d 'One `key` record per line.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key list" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key retire" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key retire" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key retire" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key retire" key-file' -l 'key-file' -d 'The store\'s key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key retire" passphrase-file' -l 'passphrase-file' -d 'A file whose first line is the store\'s passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key retire" force' -l 'force' -d 'Retire it even if some objects\' headers are unreadable or name an unknown key.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key retire" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji key retire" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" key-file' -l 'key-file' -d 'The store\'s key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" passphrase-file' -l 'passphrase-file' -d 'A file whose first line is the store\'s passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" to' -l 'to' -d 'The key to rewrap under (benji key list).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" new-key-file' -l 'new-key-file' -d 'The new AES key: a key file (benji keygen).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" new-passphrase-file' -l 'new-passphrase-file' -d 'The new passphrase: a file whose first line is it. Else $BENJI_NEW_PASSPHRASE.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" json' -l 'json' -d 'Print a `rekey` record with the counts and the time taken.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji rekey" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" hints' -l 'hints' -d 'Changed extents: `rbd diff --format=json` output or NDJSON extent records.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" snapshot' -l 'snapshot' -d 'A name for the snapshot the data comes from (free text, e.g. the RBD snapshot).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" base' -l 'base' -d 'A version to build on: blocks the stream does not list are taken from it.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff"' -l 'label' -d 'A label for the version (repeatable).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" block-size' -l 'block-size' -d 'Block size: a multiple of 4 KiB up to 64 MiB (e.g. 4M, 64K). Default: the base\'s, else 4 MiB.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" expect-size' -l 'expect-size' -d 'The size the source must have, in bytes or with K, M, G or T (e.g. 10G). A stream that ends short (a dropped connection) or runs long, or a file or device of another size, is refused and nothing is committed.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" no-check' -l 'no-check' -d 'Do not re-read a sample of blocks outside the hints.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" source' -l 'source' -d 'With a plan on stdin: read from here instead of the plan\'s source (a path of the same size; the version records this one).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" snapshot' -l 'snapshot' -d 'A name for the snapshot the data comes from (free text, e.g. the RBD snapshot).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" base' -l 'base' -d 'A version to build on: blocks the stream does not list are taken from it.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk"' -l 'label' -d 'A label for the version (repeatable).' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" block-size' -l 'block-size' -d 'Block size: a multiple of 4 KiB up to 64 MiB (e.g. 4M, 64K). Default: the base\'s, else 4 MiB.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" expect-size' -l 'expect-size' -d 'The size the source must have, in bytes or with K, M, G or T (e.g. 10G). A stream that ends short (a dropped connection) or runs long, or a file or device of another size, is refused and nothing is committed.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji chunk" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji catalog" -eq 1' -fa 'dedup' -d 'Drop the data of blocks the store already holds.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji catalog" -eq 1' -fa 'commit' -d 'Record a whole block stream as a new version, atomically; print its version record.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji catalog" -eq 1' -fa 'blocks' -d 'Emit a version\'s blocks as a record stream (the start of a restore).'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji catalog" -eq 1' -fa 'ls' -d 'List versions.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji catalog" -eq 1' -fa 'rm' -d 'Remove versions from the catalog.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji catalog" -eq 1' -fa 'protect' -d 'Protect versions from removal.'
complete -c 'benji' -n '__benji_should_offer_completions_for_positional "benji catalog" -eq 1' -fa 'unprotect' -d 'Allow versions to be removed again.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog dedup" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog dedup" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog dedup" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog dedup" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog dedup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog commit" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog commit" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog commit" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog commit" quiet' -l 'quiet' -d 'Print only the version id instead of the version record.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog commit" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog commit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog blocks" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog blocks" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog blocks" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog blocks" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog blocks" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog ls" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog ls" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog ls" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog ls" volume' -l 'volume' -d 'Only versions of this volume.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog ls" json' -l 'json' -d 'Print version records instead of a table.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog ls" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog rm" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog rm" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog rm" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog rm" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog protect" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog protect" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog protect" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog protect" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog protect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog unprotect" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog unprotect" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog unprotect" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog unprotect" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji catalog unprotect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" open' -l 'open' -d 'Open sealed objects instead: authenticate, decrypt, decompress and verify them.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" level' -l 'level' -d 'zstd level, -131072 to 22: 1 (the default) to 19 for everyday use, 20 to 22 for the smallest objects, negative for zstd\'s fastest levels; 0 is zstd\'s default, 3.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" no-compression' -l 'no-compression' -d 'Store objects uncompressed.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" key-file' -l 'key-file' -d 'The store\'s key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" passphrase-file' -l 'passphrase-file' -d 'A file whose first line is the store\'s passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji seal" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji put" get' -l 'get' -d 'Read objects instead of writing them.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji put" catalog' -l 'catalog' -d 'The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji put" store' -l 'store' -d 'The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji put" config' -l 'config' -d 'The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.' -rfka ''
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji put" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji put" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji write" sparse' -l 'sparse' -d 'Leave zero blocks as holes instead of writing zeros.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji write" force' -l 'force' -d 'Overwrite an existing file (in place: it keeps its mode; one interrupted is left partly overwritten) or device.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji write" json' -l 'json' -d 'Write bad ranges as records on stdout.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji write" fsync' -l 'fsync' -d 'Flush a restored file to stable storage before exiting (a device always is).'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji write" version' -l 'version' -d 'Show the version.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji write" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'benji' -n '__benji_should_offer_completions_for_flags_or_options "benji help" version' -l 'version' -d 'Show the version.'
