// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTerminal

/// `amanat`'s help texts in Russian, keyed by the English text the commands declare (see
/// ``LocalisedHelp``; the shared options are in ``SharedHelp``). A test checks that every text
/// the help can show has its translation here, free of Latin words but commands and names.
public enum HelpCatalogue {
    public static let russian: [String: String] = [
        "Send case updates to your organisation's experts, safely.":
            "Безопасная отправка сведений по делу экспертам вашей организации.",
        "Exit codes: 0 done; 64 usage; 65 invalid data (invite, damaged profile, too large); 66 a file to send is missing or unreadable; 69 network (relay, proxy or Tor unreachable; what was being sent stays queued; try again later); 70 internal error; 73 the profile cannot be written or exists already; 75 saved but not sent yet (`amanat sync` sends it); 76 security check failed (wrong pin, bad signature); 77 wrong passphrase or no profile.":
            "Коды выхода: 0 — готово; 64 — ошибка в команде; 65 — неверные данные (приглашение, повреждённый профиль, слишком большой размер); 66 — файла для отправки нет или его нельзя прочитать; 69 — сеть (ретранслятор, прокси или Tor недоступны; отправляемое остаётся в очереди; повторите позже); 70 — внутренняя ошибка; 73 — профиль нельзя записать или он уже есть; 75 — сохранено, но ещё не отправлено (отправит `amanat sync`); 76 — проверка безопасности не пройдена (неверный пин, неверная подпись); 77 — неверная парольная фраза или профиля нет.",
        "Join your organisation with an invite (amanat://invite/…, a file, or - for standard input).":
            "Присоединиться к организации по приглашению (`amanat://invite/…`, файл или `-` для стандартного ввода).",
        "The invite text, a file holding it, or - to read it from standard input.":
            "Текст приглашения, файл с ним или `-`, чтобы прочитать его из стандартного ввода.",
        "A SOCKS proxy such as Tor's: socks5h://127.0.0.1:9050.":
            "Прокси SOCKS, например от Tor: `socks5h://127.0.0.1:9050`.",
        "Send a case update (text, a text file, attachments) to every expert.":
            "Отправить сведения по делу (текст, текстовый файл, вложения) всем экспертам.",
        "The text of the update. Better left out: then it is asked for, and stays out of `ps` and the shell's history.":
            "Текст сообщения. Лучше его не указывать: тогда программа спросит его сама, и он не попадёт ни в `ps`, ни в историю командной оболочки.",
        "Read the text from this file, or from standard input with -.":
            "Прочитать текст из этого файла или, с `-`, из стандартного ввода.",
        "Files to attach (up to 16).": "Файлы для вложения (до 16).",
        "Write the update in your editor (VISUAL or EDITOR, else nano or vi), on a file kept in memory and erased afterwards.":
            "Написать сообщение в редакторе (`VISUAL` или `EDITOR`, иначе `nano` или `vi`) в файле, который хранится в памяти и затем стирается.",
        "Send images and documents untouched, with their metadata (GPS, camera; a PDF's or office file's author and edit history), as evidence.":
            "Отправить изображения и документы нетронутыми, с метаданными (GPS, камера; автор и история правок PDF или офисного файла), как доказательство.",
        "Send what is queued and fetch what has arrived; --watch keeps doing it.":
            "Отправить то, что ждёт отправки, и получить пришедшее; с --watch — постоянно.",
        "Keep running: wait for news from the relay and sync again (Ctrl-C to stop).":
            "Не завершаться: ждать новостей от ретранслятора и синхронизироваться снова (остановить — Ctrl-C).",
        "List messages, with what you sent and how far it got.":
            "Список сообщений, включая отправленные вами, с состоянием доставки.",
        "Show one message and mark it read.": "Показать одно сообщение и отметить его прочитанным.",
        "The message id (or its first characters) from `amanat inbox`.":
            "Идентификатор сообщения (или его первые символы) из `amanat inbox`.",
        "Decrypt an attachment to a file.": "Расшифровать вложение в файл.",
        "The attachment id from `amanat read` (message id, a dash, its number).":
            "Идентификатор вложения из `amanat read` (идентификатор сообщения, дефис, порядковый номер вложения).",
        "Where to write it.": "Куда его записать.",
        "Relay reachable, Tor on or off, queued items, roster.":
            "Доступен ли ретранслятор, включён ли Tor, что ждёт отправки, список экспертов.",
        "The organisation's experts with their safety numbers, to compare in person.":
            "Эксперты организации с кодами безопасности, чтобы сверить их при встрече.",
        "Mark an expert verified after comparing safety numbers with them in person.":
            "Отметить эксперта проверенным после того, как вы сверили коды безопасности при встрече.",
        "The expert's number in `amanat experts`, or their name.":
            "Номер эксперта в `amanat experts` или его имя.",
        "The 60 digits the other device shows (spaces allowed).":
            "60 цифр, которые показывает другое устройство (можно с пробелами).",
        "Instead of digits: the text of the QR code the other device shows (amanat://safety/…).":
            "Вместо цифр: текст QR-кода, который показывает другое устройство (`amanat://safety/…`).",
        "Change the passphrase, or set a duress passphrase that opens an empty decoy profile.":
            "Сменить парольную фразу или задать фразу на случай принуждения, которая открывает пустой профиль-приманку.",
        "Set the duress passphrase instead.": "Вместо этого задать парольную фразу на случай принуждения.",
        "Show or change the relay's address, the proxy (Tor), the language, read receipts, remote wipe and how long messages are kept.":
            "Показать или изменить адрес ретранслятора, прокси (Tor), язык, отчёты о прочтении, удалённое стирание и срок хранения сообщений.",
        "Keep messages on this device for this many days (1-10000), or \"forever\" (the default).":
            "Хранить сообщения на этом устройстве столько дней (1–10000) или `forever` — бессрочно (по умолчанию).",
        "Delete the case updates you sent once every expert has them: on or off (the default).":
            "Стирать отправленные сообщения, как только их получат все эксперты: `on` или `off` (по умолчанию).",
        "Let the organisation erase this profile if you report the device lost or seized: on (the default) or off.":
            "Разрешить организации стереть этот профиль, если устройство утеряно или изъято: `on` (по умолчанию) или `off`.",
        "Use this SOCKS proxy from now on, e.g. socks5h://127.0.0.1:9050; \"none\" for none.":
            "С этого момента использовать этот прокси SOCKS, например `socks5h://127.0.0.1:9050`; `none` — без прокси.",
        "The relay's new address (the same relay: a new domain or its .onion address).":
            "Новый адрес ретранслятора (того же самого: новый домен или его адрес .onion).",
        "The relay's TLS pin (sha256//…) for the new address, if it has one.":
            "Пин TLS ретранслятора (`sha256//…`) для нового адреса, если он есть.",
        "Use only the relay's .onion addresses, always through the proxy; never another address.":
            "Использовать только адреса .onion ретранслятора, всегда через прокси; никогда другой адрес.",
        "Use only the relay's .onion addresses, always through the proxy: on or off.":
            "Использовать только адреса .onion ретранслятора, всегда через прокси: `on` или `off`.",
        "auto: amanat runs a Tor of its own for this profile, through the invite's bridges.":
            "`auto`: amanat запускает для этого профиля собственный Tor, через мосты из приглашения.",
        "A Tor bridge line to use before the invite's (`obfs4 …` or `snowflake …`); up to eight times.":
            "Строка моста Tor, которую использовать раньше мостов из приглашения (`obfs4 …` или `snowflake …`); до восьми раз.",
        "auto: amanat runs a Tor of its own for this profile (through its bridges); off: it does not.":
            "`auto`: amanat запускает для этого профиля собственный Tor (через его мосты); `off`: не запускает.",
        "Tor bridge lines to use before the invite's, replacing those given before; \"none\" for none.":
            "Строки мостов Tor, которые использовать раньше мостов из приглашения, вместо заданных ранее; `none` — без них.",
        "The language for this profile from now on: en or ru.":
            "Язык этого профиля с этого момента: `en` или `ru`.",
        "Tell the expert when you have opened their reply: on (the default) or off.":
            "Сообщать эксперту, что вы открыли его ответ: `on` (по умолчанию) или `off`.",
        "Destroy this profile at once: keys first, then every file. Cannot be undone.":
            "Немедленно уничтожить профиль: сначала ключи, затем все файлы. Отменить нельзя.",
        "Do not ask.": "Не спрашивать подтверждения.",
    ]
}
