// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTerminal
import Foundation

/// Every sentence `amanat` shows, by key, in each language. `%@` marks are filled in order.
/// A test checks that both languages have the same keys and the same number of marks.
public enum Catalogue {
    public static let english: [String: String] = TerminalText.english.merging(own: [
        "enrolled": "Enrolled with %@. Experts on the roster: %@.",
        "enrolled.no-roster": "Enrolled with %@. The organisation has not published its list of experts yet.",
        "sent": "Sent to %@ expert device(s). Message %@.",
        "send.cleaned": "Removed from %@ before sending: %@.",
        "error.editor":
            "The editor could not be used (none found, it failed, or the text is too long). Set EDITOR, or leave --editor out to type the update here.",
        "error.editor-and-text": "Give the text, a text file, or --editor: only one of them.",
        "queued": "Saved, but not sent yet: %@ item(s) wait for the relay. Run `amanat sync` later.",
        "synced": "Sync done: %@ new, %@ sent, %@ still queued.",
        "synced.more": "More may be waiting on the relay: run `amanat sync` again.",
        "synced.undecryptable": "%@ message(s) could not be decrypted and were dropped.",
        "synced.expired": "%@ message(s) expired on the relay before this device fetched them.",
        "watch.down": "The relay cannot be reached now. Trying again at %@ (in %@ s); what is queued stays queued.",
        "watch.back": "The relay answers again.",
        "send.prompt": "Write the update (several lines are fine). End with Ctrl-D at the start of a line:\n",
        "send.argv-warning":
            "Note: text given on the command line is visible to other users of this machine (ps) and stays in your shell history. Next time run `amanat send` without text to type it, or use --text-file -.",
        "inbox.empty": "No messages.",
        "notice.undecryptable":
            "A message from %@ could not be decrypted. A new secure session has been started; ask them to send it again.",
        "notice.session-reset":
            "%@ restarted the secure session. What you sent just before may not have arrived; send it again if in doubt.",
        "synced.reset": "%@ secure session(s) restarted after messages that could not be decrypted.",
        "synced.unconfirmed":
            "%@ sent message(s) were not confirmed within the relay's retention time: they may have expired unread.",
        "state.unconfirmed": "not confirmed: may have expired unread",
        "inbox.in": "%@  from %@  %@  %@",
        "inbox.out": "%@  to experts  %@  %@",
        "state.refused": "refused by the relay: the recipient no longer takes messages from this device",
        "state.queued": "waiting to send",
        "state.submitted": "on the relay",
        "state.delivered": "delivered",
        "state.read": "read",
        "unread": "unread",
        "attachment": "  attachment %@: %@ (%@ bytes, %@)",
        "saved":
            "Saved to %@, in clear, outside the profile: `amanat wipe` does not remove it. Delete it when you no longer need it.",
        "status.profile": "Profile: %@",
        "status.relay": "Relay: %@ (%@)",
        "config.relay": "Relay: %@",
        "error.read-receipts-value": "--read-receipts takes `on` or `off`.",
        "error.language-value": "--language takes `en` or `ru`.",
        "status.reachable": "reachable",
        "status.unreachable": "not reachable",
        "status.proxy": "Proxy: %@",
        "status.proxy.none": "Proxy: none (Tor is off)",
        "status.other-addresses": "Other addresses of the relay, tried when it cannot be reached: %@",
        "status.tor-only.on": "Tor only: on (only the relay's .onion addresses, always through the proxy).",
        "status.bridges": "Tor bridges: %@",
        "status.pin-mismatch":
            "Warning: at %@ the relay's key did not match its pin. Someone may be intercepting that address; tell your organisation.",
        "status.tor.auto": "Tor: run by amanat for this profile (bridges: %@).",
        "error.tor-value": "--tor takes `auto` or `off`.",
        "error.tor-value-enroll": "--tor takes `auto`.",
        "error.tor-and-proxy":
            "`--tor auto` and `--proxy` do not go together: with `--tor auto`, amanat runs the Tor itself.",
        "error.bridge-without-tor": "`--bridge` goes with `--tor auto`.",
        "error.bridge-line":
            "A bridge line is what Tor's `Bridge` option takes (`obfs4 …` or `snowflake …`), on one line of at most 1024 characters; at most eight.",
        "error.tor-missing": "Tor is not installed: `sudo apt install tor obfs4proxy`.",
        "error.tor-only-value": "--tor-only takes `on` or `off`.",
        "error.tor-only-proxy":
            "Tor only needs a proxy: give Tor's with --proxy socks5h://127.0.0.1:9050 (or turn Tor only off first).",
        "error.tor-only-onion":
            "Tor only needs a .onion address of the relay, and this profile has none: ask your organisation for an invite or address with one.",
        "status.queued": "Queued: %@",
        "status.language": "Language: %@",
        "status.read-receipts.on": "Read receipts: on (the expert sees when you have opened their reply).",
        "status.read-receipts.off": "Read receipts: off.",
        "status.remote-wipe.on":
            "Remote wipe: on (if the organisation reports this device lost or seized, it erases itself the next time it connects; `amanat config --remote-wipe off` turns it off).",
        "status.remote-wipe.off":
            "Remote wipe: off (if the organisation reports this device lost or seized, it is only shut out).",
        "error.remote-wipe-value": "--remote-wipe takes on or off.",
        "status.keep.days": "Messages are kept on this device for %@ days, then erased.",
        "status.keep.forever":
            "Messages are kept on this device until you delete them (`amanat config --keep DAYS` limits it).",
        "status.delete-sent.on": "Case updates you sent are erased from this device once every expert has them.",
        "status.delete-sent.off": "Case updates you sent stay on this device.",
        "error.keep-value": "--keep takes a number of days from 1 to 10000, or `forever`.",
        "error.delete-sent-value": "--delete-sent takes `on` or `off`.",
        "error.invalid-pin": "The pin must be sha256// followed by 44 base64 characters, as the relay prints it.",
        "status.roster": "Expert devices on the organisation's list: %@",
        "experts.empty": "No experts yet: run `amanat sync`.",
        "experts.line": "%@\n  safety number: %@",
        "experts.verified": "verified",
        "experts.unverified": "not verified",
        "verified": "%@ is marked verified.",
        "error.unknown-expert": "There is no expert %@. See `amanat experts`.",
        "error.safety-mismatch":
            "The digits do not match %@'s safety number. Do not trust this device until you have checked with the organisation.",
        "error.nothing-to-send": "Nothing to send: give a text, --file or --attach.",
    ])

    public static let russian: [String: String] = TerminalText.russian.merging(own: [
        "enrolled": "Регистрация на %@ выполнена. Экспертов в списке: %@.",
        "enrolled.no-roster": "Регистрация на %@ выполнена. Организация ещё не опубликовала список экспертов.",
        "sent": "Отправлено на устройства экспертов: %@. Сообщение %@.",
        "send.cleaned": "Из %@ перед отправкой удалено: %@.",
        "error.editor":
            "Не удалось воспользоваться редактором (не найден, завершился с ошибкой или текст слишком длинный). Задайте EDITOR или уберите --editor, чтобы набрать текст здесь.",
        "error.editor-and-text": "Укажите что-то одно: текст, файл с текстом или --editor.",
        "queued": "Сохранено, но пока не отправлено (в очереди: %@). Запустите `amanat sync` позже.",
        "synced": "Синхронизация завершена: новых — %@, отправлено — %@, в очереди — %@.",
        "synced.more": "На ретрансляторе может ждать ещё: снова запустите `amanat sync`.",
        "synced.undecryptable": "Удалено сообщений, которые не удалось расшифровать: %@.",
        "synced.expired": "Сообщений, у которых истёк срок хранения на ретрансляторе до получения: %@.",
        "watch.down": "Ретранслятор сейчас недоступен. Следующая попытка в %@ (через %@ с); очередь сохраняется.",
        "watch.back": "Ретранслятор снова отвечает.",
        "send.prompt":
            "Напишите сообщение (можно в несколько строк). Чтобы закончить, нажмите Ctrl-D в начале новой строки:\n",
        "send.argv-warning":
            "Внимание: текст в командной строке видят другие пользователи этого компьютера (ps), и он остаётся в истории оболочки. В следующий раз запустите `amanat send` без текста и наберите его, или используйте --text-file -.",
        "inbox.empty": "Сообщений нет.",
        "notice.undecryptable":
            "Сообщение от %@ не удалось расшифровать. Начат новый защищённый сеанс; попросите отправителя прислать это сообщение ещё раз.",
        "notice.session-reset":
            "%@ перезапустил(а) защищённый сеанс. Отправленное вами незадолго до этого могло не дойти; при сомнении отправьте ещё раз.",
        "synced.reset": "Перезапущено защищённых сеансов после нерасшифрованных сообщений: %@.",
        "synced.unconfirmed":
            "Отправленных сообщений без подтверждения получения за срок хранения на ретрансляторе: %@. Возможно, они удалены непрочитанными.",
        "state.unconfirmed": "не подтверждено: возможно, удалено непрочитанным",
        "inbox.in": "%@  от %@  %@  %@",
        "inbox.out": "%@  экспертам  %@  %@",
        "state.refused": "отклонено ретранслятором: получатель больше не принимает сообщения с этого устройства",
        "state.queued": "ждёт отправки",
        "state.submitted": "на ретрансляторе",
        "state.delivered": "доставлено",
        "state.read": "прочитано",
        "unread": "не прочитано",
        "attachment": "  вложение %@: %@ (%@ Б, %@)",
        "saved":
            "Сохранено в %@ в открытом виде, вне профиля: `amanat wipe` этот файл не удалит. Удалите его, когда он больше не нужен.",
        "status.profile": "Профиль: %@",
        "status.relay": "Ретранслятор: %@ (%@)",
        "config.relay": "Ретранслятор: %@",
        "error.read-receipts-value": "--read-receipts принимает `on` или `off`.",
        "error.language-value": "--language принимает `en` или `ru`.",
        "status.reachable": "доступен",
        "status.unreachable": "недоступен",
        "status.proxy": "Прокси: %@",
        "status.proxy.none": "Прокси: нет (Tor выключен)",
        "status.other-addresses": "Другие адреса ретранслятора, если этот недоступен: %@",
        "status.tor-only.on": "Только Tor: включено (только адреса .onion ретранслятора, всегда через прокси).",
        "status.bridges": "Мосты Tor: %@",
        "status.pin-mismatch":
            "Внимание: по адресу %@ ключ ретранслятора не совпал с пином. Возможно, этот адрес перехватывают; сообщите организации.",
        "status.tor.auto": "Tor: запускается amanat для этого профиля (мостов: %@).",
        "error.tor-value": "--tor принимает `auto` или `off`.",
        "error.tor-value-enroll": "--tor принимает `auto`.",
        "error.tor-and-proxy":
            "`--tor auto` и `--proxy` вместе не указываются: с `--tor auto` amanat сам запускает Tor.",
        "error.bridge-without-tor": "`--bridge` указывается вместе с `--tor auto`.",
        "error.bridge-line":
            "Строка моста — то, что принимает параметр `Bridge` у Tor (`obfs4 …` или `snowflake …`), одной строкой не длиннее 1024 символов; не больше восьми.",
        "error.tor-missing": "Tor не установлен: `sudo apt install tor obfs4proxy`.",
        "error.tor-only-value": "--tor-only принимает `on` или `off`.",
        "error.tor-only-proxy":
            "Для режима «только Tor» нужен прокси: укажите прокси Tor, --proxy socks5h://127.0.0.1:9050 (или сначала выключите «только Tor»).",
        "error.tor-only-onion":
            "Для режима «только Tor» нужен адрес .onion ретранслятора, а в этом профиле его нет: попросите у организации приглашение или адрес с ним.",
        "status.queued": "Ждут отправки: %@",
        "status.language": "Язык: %@",
        "status.read-receipts.on": "Отчёты о прочтении: включены (эксперт видит, что вы открыли его ответ).",
        "status.read-receipts.off": "Отчёты о прочтении: выключены.",
        "status.remote-wipe.on":
            "Удалённое стирание: включено (если организация сообщит, что устройство утеряно или изъято, профиль сотрёт себя при следующем подключении; отключить: `amanat config --remote-wipe off`).",
        "status.remote-wipe.off":
            "Удалённое стирание: выключено (если организация сообщит, что устройство утеряно или изъято, оно будет только отключено).",
        "error.remote-wipe-value": "--remote-wipe принимает `on` или `off`.",
        "status.keep.days": "Сообщения хранятся на этом устройстве %@ дн., затем стираются.",
        "status.keep.forever":
            "Сообщения хранятся на этом устройстве, пока вы их не удалите (ограничить: `amanat config --keep ДНЕЙ`).",
        "status.delete-sent.on":
            "Отправленные вами сообщения стираются с этого устройства, как только их получат все эксперты.",
        "status.delete-sent.off": "Отправленные вами сообщения остаются на этом устройстве.",
        "error.keep-value": "--keep принимает число дней от 1 до 10000 или `forever`.",
        "error.delete-sent-value": "--delete-sent принимает `on` или `off`.",
        "error.invalid-pin": "Пин должен иметь вид sha256// и 44 символа base64, как его печатает ретранслятор.",
        "status.roster": "Устройств экспертов в списке организации: %@",
        "experts.empty": "Экспертов пока нет: запустите `amanat sync`.",
        "experts.line": "%@\n  код безопасности: %@",
        "experts.verified": "проверен",
        "experts.unverified": "не проверен",
        "verified": "Эксперт %@ отмечен как проверенный.",
        "error.unknown-expert": "Эксперта %@ нет. См. `amanat experts`.",
        "error.safety-mismatch":
            "Цифры не совпадают с кодом безопасности эксперта %@. Не доверяйте этому устройству, пока не уточните всё у организации.",
        "error.nothing-to-send": "Нечего отправлять: укажите текст, --file или --attach.",
    ])

    /// The sentences of the languages not complete yet (see ``Language``), over the shared ones:
    /// empty until a translator writes them.
    public static let planned: [Language: [String: String]] = TerminalText.planned

    /// Every language's sentences.
    static let sentences = Sentences(english: english, russian: russian, planned: planned)

    /// The sentence `key` in `language`, with `arguments` in its marks.
    public static func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        sentences.text(key, language, arguments)
    }
}
