// SPDX-License-Identifier: AGPL-3.0-or-later

import Mustache

/// The web UI's pages, as Mustache templates compiled into the binary: no files to find at run
/// time, no external assets, no JavaScript. `{{…}}` escapes HTML; nothing is rendered unescaped.
enum WebTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in sources {
            library.register(try MustacheTemplate(string: text), named: name)
        }
        return library
    }

    static let sources: [String: String] = [
        "head": """
        <!doctype html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        {{#refresh}}<meta http-equiv="refresh" content="{{refresh}}">{{/refresh}}
        <title>{{title}} · Amanat</title>
        <link rel="stylesheet" href="/static/style.css">
        </head>
        <body>
        <header>
        <a class="brand" href="/">Amanat</a>
        <nav>
        <a href="/">{{t.cases}}</a>
        <a href="/roster">{{t.roster}}</a>
        <form class="inline" method="get" action="/search" role="search">
        <input type="search" name="q" value="{{q}}" placeholder="{{t.search}}" aria-label="{{t.search}}">
        </form>
        <form class="inline" method="post" action="/sync">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="{{here}}">
        <button type="submit">{{t.sync}}</button>
        </form>
        <form class="inline" method="post" action="/language">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="lang" value="{{otherLanguage}}">
        <button type="submit" class="link">{{otherLanguageName}}</button>
        </form>
        </nav>
        </header>
        <main>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        """,
        "foot": """
        </main>
        </body>
        </html>
        """,
        "cases": """
        {{> head}}
        <h1>{{t.cases}}</h1>
        <p class="counts">
        <a href="/" {{^anyStatus}}aria-current="page"{{/anyStatus}}>{{t.all}} ({{total}})</a>
        {{#statuses}}<a href="/?status={{word}}" {{#selected}}aria-current="page"{{/selected}}>{{name}} ({{count}})</a>{{/statuses}}
        {{#unreadTotal}}· <strong class="unread-total">{{unreadTotal}} {{t.unread}}</strong>{{/unreadTotal}}
        </p>
        <form method="get" action="/" class="filters">
        <label>{{t.status}} <select name="status"><option value="">{{t.any}}</option>
        {{#statuses}}<option value="{{word}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/statuses}}</select></label>
        <label>{{t.assignee}} <select name="assignee"><option value="">{{t.any}}</option>
        {{#assignees}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/assignees}}</select></label>
        <label>{{t.label}} <input name="label" value="{{label}}"></label>
        <label><input type="checkbox" name="overdue" value="1" {{#overdue}}checked{{/overdue}}> {{t.overdue}}</label>
        <button type="submit">{{t.filter}}</button>
        </form>
        {{^cases}}<p>{{t.noCases}}</p>{{/cases}}
        {{#hasCases}}
        <p class="sorting">{{t.sortBy}}: {{#sorts}}<a href="{{href}}" {{#selected}}aria-current="true"{{/selected}}>{{name}}</a> {{/sorts}}</p>
        <table class="cases">
        <thead><tr><th>{{t.case}}</th><th>{{t.status}}</th><th>{{t.priority}}</th><th>{{t.assignee}}</th><th>{{t.labels}}</th><th>{{t.due}}</th><th>{{t.messages}}</th><th>{{t.latest}}</th></tr></thead>
        <tbody>
        {{/hasCases}}
        {{#cases}}
        <tr class="{{#hasUnread}}unread{{/hasUnread}}"><td><a href="/case/{{path}}">{{label}}</a></td><td>{{status}}</td><td class="priority-{{priorityWord}}">{{priority}}</td><td>{{assignee}}</td><td>{{labels}}</td><td class="{{#overdue}}overdue{{/overdue}}">{{due}}</td><td>{{messages}}{{#hasUnread}} ({{unread}} {{t.unread}}){{/hasUnread}}</td><td>{{last}}</td></tr>
        {{/cases}}
        {{#hasCases}}</tbody></table>{{/hasCases}}
        {{> foot}}
        """,
        "case": """
        {{> head}}
        <h1>{{label}}</h1>
        <p class="meta">{{t.caseId}} <code>{{caseId}}</code></p>
        <p class="meta">{{t.safetyNumber}} ({{safetyState}}): <code class="safety">{{safety}}</code></p>
        {{#seized}}<p class="seized" role="alert">{{seized}}</p>{{/seized}}
        <section class="triage" aria-label="{{t.triage}}">
        <form method="post" action="/case/{{path}}/triage" class="fields">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="fields">
        <label>{{t.alias}} <input name="alias" value="{{alias}}" maxlength="64"></label>
        <label>{{t.status}} <select name="status">{{#statuses}}<option value="{{word}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/statuses}}</select></label>
        <label>{{t.priority}} <select name="priority">{{#priorities}}<option value="{{word}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/priorities}}</select></label>
        <label>{{t.assignee}} <select name="assignee"><option value="nobody">{{t.nobody}}</option>{{#assignees}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/assignees}}</select></label>
        <label>{{t.due}} <input type="date" name="due" value="{{due}}"></label>
        <button type="submit">{{t.save}}</button>
        </form>
        <div class="labels">{{t.labels}}:
        {{#labels}}<form class="inline" method="post" action="/case/{{path}}/triage"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="label-remove"><input type="hidden" name="value" value="{{.}}"><span class="tag">{{.}}</span> <button type="submit" class="link" title="{{t.remove}}">×</button></form>{{/labels}}
        <form class="inline" method="post" action="/case/{{path}}/triage"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="label-add"><input name="value" required maxlength="64" aria-label="{{t.newLabel}}" placeholder="{{t.newLabel}}"> <button type="submit">{{t.add}}</button></form>
        </div>
        </section>
        <section class="timeline" aria-label="{{t.timeline}}">
        {{#hasUnread}}<form method="post" action="/case/{{path}}/read" class="mark-read">
        <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.markRead}}</button>
        </form>{{/hasUnread}}
        {{#messages}}
        <article class="message {{direction}}{{#unread}} unread{{/unread}}{{#suspect}} suspect{{/suspect}}">
        <p class="meta">{{#unread}}<strong class="new">{{t.new}}</strong> · {{/unread}}{{from}} · {{time}}{{#hasState}} · <span class="delivery">{{state}}</span>{{/hasState}} · <code>{{id}}</code></p>
        {{#suspect}}<p class="suspect-warning">{{t.suspect}}</p>{{/suspect}}
        <p class="text">{{text}}</p>
        {{#attachments}}<div class="attachment">
        {{#image}}<img src="{{url}}" alt="{{name}}">{{/image}}
        <p>{{t.attachment}}: {{#viewable}}<a href="{{url}}" target="_blank" rel="noopener">{{name}}</a>{{/viewable}}{{^viewable}}{{name}}{{/viewable}} ({{size}}) — <code>amanat-inbox save {{ref}} PATH</code></p>
        </div>{{/attachments}}
        </article>
        {{/messages}}
        </section>
        <section class="reply">
        <h2>{{t.reply}}</h2>
        <form method="post" action="/case/{{path}}/reply" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <textarea name="text" rows="4" required aria-label="{{t.reply}}"></textarea>
        <label>{{t.attach}} <input type="file" name="attach" multiple></label>
        {{#seized}}<label><input type="checkbox" name="despite" value="1"> {{t.despiteSeizure}}</label>{{/seized}}
        <button type="submit">{{t.send}}</button>
        </form>
        </section>
        <section class="seizure">
        <h2>{{t.seizure}}</h2>
        <form method="post" action="/case/{{path}}/seized">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p>{{seizureExplained}}</p>
        <label>{{t.seizedSince}} <input name="since" placeholder="2026-12-06 14:30" autocomplete="off"></label>
        <label><input type="checkbox" name="nowipe" value="1"> {{t.noWipe}}</label>
        <label>{{seizureConfirm}} <input name="confirm" required autocomplete="off"></label>
        <button type="submit" class="danger">{{t.reportSeized}}</button>
        </form>
        </section>
        <section class="notes">
        <h2>{{t.notes}}</h2>
        {{#notes}}<p class="note"><span class="meta">{{author}} · {{time}}</span> {{text}}</p>{{/notes}}
        <form method="post" action="/case/{{path}}/triage">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="note">
        <textarea name="value" rows="2" required maxlength="4096" aria-label="{{t.newNote}}" placeholder="{{t.newNote}}"></textarea>
        <button type="submit">{{t.addNote}}</button>
        </form>
        <h2>{{t.history}}</h2>
        <ul class="history">{{#events}}<li>{{time}} — {{author}} {{what}}</li>{{/events}}</ul>
        </section>
        {{> foot}}
        """,
        "search": """
        {{> head}}
        <h1>{{t.search}}: {{q}}</h1>
        {{^hits}}<p>{{t.nothingFound}}</p>{{/hits}}
        <ul class="hits">{{#hits}}<li><a href="/case/{{path}}">{{label}}</a> · {{place}} — {{text}}</li>{{/hits}}</ul>
        {{> foot}}
        """,
        "roster": """
        {{> head}}
        <h1>{{t.roster}}</h1>
        <table><thead><tr><th>{{t.name}}</th><th>{{t.safetyNumber}}</th><th>{{t.verified}}</th></tr></thead><tbody>
        {{#devices}}<tr><td>{{name}}{{#me}} ({{t.thisDevice}}){{/me}}</td><td><code>{{safety}}</code></td><td>{{verified}}</td></tr>{{/devices}}
        </tbody></table>
        {{> foot}}
        """,
        "message": """
        <!doctype html>
        <html lang="{{lang}}"><head><meta charset="utf-8"><title>Amanat</title><link rel="stylesheet" href="/static/style.css"></head>
        <body><main><h1>Amanat</h1><p>{{text}}</p></main></body></html>
        """,
    ]

    /// The only stylesheet, served from `/static/style.css`.
    static let style = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --accent: #1f5fbf; --warn: #a0321e; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); background: #f7f8fa; }
        header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1.2rem;
                 background: #fff; border-bottom: 1px solid var(--line); }
        header .brand { font-weight: 700; color: var(--ink); text-decoration: none; }
        nav { display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
        a { color: var(--accent); }
        .inline { display: inline-flex; gap: .3rem; align-items: center; margin: 0; }
        button { font: inherit; padding: .25rem .7rem; border: 1px solid var(--line); border-radius: .3rem;
                 background: #fff; cursor: pointer; }
        button.link { border: none; background: none; color: var(--accent); padding: 0 .2rem; }
        input, select, textarea { font: inherit; padding: .25rem .4rem; border: 1px solid var(--line); border-radius: .3rem; }
        textarea { width: 100%; }
        table { width: 100%; border-collapse: collapse; background: #fff; }
        th, td { text-align: left; padding: .45rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        tr.unread td:first-child a { font-weight: 700; }
        .seized, .suspect-warning { color: var(--warn); font-weight: 700; }
        .message.suspect { border-left: 4px solid var(--warn); }
        button.danger { border-color: var(--warn); color: var(--warn); }
        .seizure form { display: grid; gap: .4rem; max-width: 40rem; }
        .counts a { margin-right: .8rem; }
        .counts a[aria-current] { font-weight: 700; color: var(--ink); }
        .filters { display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; margin: .8rem 0 1rem; }
        .overdue, .priority-urgent { color: var(--warn); font-weight: 600; }
        .triage { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; padding: .8rem; background: #fff;
                  border: 1px solid var(--line); border-radius: .4rem; }
        .triage form { margin: 0; display: flex; gap: .3rem; align-items: center; }
        .tag { display: inline-block; padding: 0 .45rem; border-radius: .7rem; background: #e8eefb; }
        .message { background: #fff; border: 1px solid var(--line); border-radius: .4rem; padding: .5rem .8rem; margin: .8rem 0; }
        .message.outgoing { margin-left: 3rem; background: #f1f6ff; }
        .message .text { white-space: pre-wrap; margin: .2rem 0; }
        .meta { color: var(--muted); font-size: .9em; margin: 0; }
        .note { background: #fffbea; border-left: 3px solid #e2c044; padding: .3rem .6rem; }
        .notice { background: #eef7ee; border: 1px solid #b9dcb9; padding: .4rem .7rem; border-radius: .3rem; }
        .history { color: var(--muted); }
        .triage form.fields { flex-wrap: wrap; gap: .6rem 1.2rem; }
        .attachment img { display: block; max-width: 100%; max-height: 32rem; margin: .4rem 0; border: 1px solid var(--line); }
        .message.unread { border-left: 3px solid var(--accent); }
        .new { color: var(--accent); }
        .sorting a { margin-right: .6rem; }
        .sorting a[aria-current] { font-weight: 700; color: var(--ink); }
        .unread-total { margin-left: .4rem; }
        """
}
