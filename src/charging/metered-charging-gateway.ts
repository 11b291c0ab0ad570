import type { ChargeRequest, ChargeResult, ChargingGateway } from '../cmr/ports/charging-gateway.port';

/** A ChargingGateway that reports how long each answer took; wraps whichever adapter config selects. */
export class MeteredChargingGateway implements ChargingGateway {
  constructor(
    private readonly inner: ChargingGateway,
    private readonly observe: (operation: 'debit' | 'refund', result: string, seconds: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  debit(request: ChargeRequest): Promise<ChargeResult> {
    return this.timed('debit', () => this.inner.debit(request));
  }

  refund(request: ChargeRequest, reference: string): Promise<ChargeResult> {
    return this.timed('refund', () => this.inner.refund(request, reference));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  reachable(): boolean {
    return this.inner.reachable?.() ?? true;
  }

  private async timed(operation: 'debit' | 'refund', run: () => Promise<ChargeResult>): Promise<ChargeResult> {
    const start = this.now();
    const result = await run();
    this.observe(operation, result.status, (this.now() - start) / 1000);
    return result;
  }
}
