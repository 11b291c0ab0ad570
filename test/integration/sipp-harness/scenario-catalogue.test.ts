import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isSippInstalled, runSipp, SCENARIO_DIR, startSipp } from '../../support/sipp';
import { startScriptedResponder } from '../../support/sipp/scripted-responder';

const scenarioFiles = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.xml'))
  .sort();
const readme = readFileSync(join(SCENARIO_DIR, 'README.md'), 'utf8');

/** The messages a scenario sends, from the CDATA of its `<send>` elements, with the send's attributes. */
function sends(xml: string): { attributes: string; message: string }[] {
  return [...xml.matchAll(/<send([^>]*)>\s*<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => ({
    attributes: m[1] ?? '',
    message: (m[2] ?? '').trim(),
  }));
}

describe('SIPp harness: the scenario catalogue', function () {
  this.timeout(30_000);

  it('holds the scenarios the server tests need', () => {
    for (const needed of [
      'uac-options-200.xml',
      'uac-invite-bye-200.xml',
      'uac-invite-cancel-487.xml',
      'uas-answer-200.xml',
      'uas-busy-486.xml',
      'uas-no-answer.xml',
      'uas-media-server-200.xml',
    ]) {
      assert.ok(scenarioFiles.includes(needed), needed);
    }
  });

  for (const file of scenarioFiles) {
    describe(file, () => {
      const name = basename(file, '.xml');
      const xml = readFileSync(join(SCENARIO_DIR, file), 'utf8');

      it('is named <role>-<flow>-<expectation> and declares that name', () => {
        assert.match(name, /^(uac|uas)(-[a-z0-9]+)*-([1-6]\d\d|no-answer)$/);
        assert.match(xml, new RegExp(`<scenario name="${name}">`));
      });

      it('puts Subject: <scenario name> on every message it sends', () => {
        const messages = sends(xml);
        assert.ok(messages.length > 0);
        for (const { message } of messages)
          assert.match(message, new RegExp(`^\\s*Subject: ${name}$`, 'm'), message.split('\n')[0]);
      });

      it('lets SIPp retransmit every request but ACK', () => {
        for (const { attributes, message } of sends(xml)) {
          const isRequest = !message.startsWith('SIP/2.0');
          if (isRequest && !message.startsWith('ACK '))
            assert.match(attributes, /retrans="\d+"/, message.split('\n')[0]);
        }
      });

      it('is described in sip-scenarios/README.md', () => {
        assert.ok(readme.includes(`\`${file}\``), `${file} has a row in the README`);
      });
    });
  }

  describe('loading in SIPp', () => {
    before(async function () {
      if (!(await isSippInstalled())) this.skip();
    });

    it('starts every UAS scenario listening on UDP and TCP', async () => {
      const uas = scenarioFiles.filter((f) => f.startsWith('uas-'));
      await Promise.all(
        uas.flatMap((scenario) =>
          (['udp', 'tcp'] as const).map(async (transport) => {
            const run = await startSipp({ scenario, transport, keepWorkDir: 'never' });
            try {
              await run.whenListening();
            } finally {
              await run.stop();
            }
          }),
        ),
      );
    });

    it('has every UAC scenario send its first request, with its Subject', async () => {
      const uac = scenarioFiles.filter((f) => f.startsWith('uac-'));
      const responder = await startScriptedResponder({ handle: () => [] });
      try {
        const results = await Promise.all(
          uac.map((scenario) =>
            runSipp({
              scenario,
              transport: 'udp',
              target: { host: responder.host, port: responder.port },
              timeoutMs: 5000,
              sippTimeoutMs: 1000,
              keepWorkDir: 'never',
            }),
          ),
        );
        for (const result of results) {
          const name = basename(result.scenario, '.xml');
          const sent = responder.received.some((r) => r.header('Subject') === name);
          assert.ok(sent, `${result.scenario} sent nothing; SIPp said: ${result.stderr.slice(-400)}`);
        }
      } finally {
        await responder.close();
      }
    });
  });
});
