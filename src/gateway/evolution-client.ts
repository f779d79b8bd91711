import { classifyHttpFailure, isAlreadyDisconnected } from './classify-failure.js';
import { GatewayError, isGatewayError } from './errors.js';
import type {
  ConnectOptions,
  CreateInstanceInput,
  SendAudioInput,
  SendMediaInput,
  SendTextInput,
  StatusQuery,
  WhatsAppGateway,
} from './gateway.js';
import { EvolutionHttp, silentLogger } from './http-transport.js';
import type { EvolutionRequest, GatewayLogger } from './http-transport.js';
import { e164ToNumber } from './jid.js';
import { mediaFileName, toEvolutionMedia } from './media.js';
import {
  parseResponse,
  toConnectResult,
  toInstanceInfo,
  toNumberChecks,
  toSendResult,
  toStatusRecords,
  toWebhookConfig,
} from './response-mapping.js';
import {
  actionResponseSchema,
  createInstanceResponseSchema,
  embeddedErrorSchema,
  findWebhookResponseSchema,
  instanceStateResponseSchema,
  webhookRowSchema,
} from './schemas.js';
import type {
  ConnectResult,
  ConnectionState,
  CreatedInstance,
  DeleteResult,
  InstanceInfo,
  InstanceRef,
  LogoutResult,
  NumberCheck,
  SendResult,
  StatusRecord,
  WebhookConfig,
  WebhookSettings,
} from './types.js';

export interface EvolutionClientOptions {
  baseUrl: string;
  /** The global key (AUTHENTICATION_API_KEY): only create and fetchInstances use it. */
  apiKey: string;
  connectTimeoutMs?: number;
  /** Total budget per call; sendText's `delay` is added on top because Evolution blocks for it. */
  requestTimeoutMs?: number;
  maxConnections?: number;
  logger?: GatewayLogger;
}

const DEFAULTS = { connectTimeoutMs: 5_000, requestTimeoutMs: 30_000, maxConnections: 50 };

/** WhatsAppGateway over Evolution API v2 (2.3.x), following docs evolution-api.md. One per process. */
export class EvolutionClient implements WhatsAppGateway {
  private readonly http: EvolutionHttp;
  private readonly apiKey: string;

  constructor(options: EvolutionClientOptions) {
    if (options.apiKey === '') throw new Error('EvolutionClient needs the global API key');
    this.apiKey = options.apiKey;
    this.http = new EvolutionHttp({
      baseUrl: options.baseUrl,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      maxConnections: options.maxConnections ?? DEFAULTS.maxConnections,
      logger: options.logger ?? silentLogger,
    });
  }

  async createInstance(input: CreateInstanceInput): Promise<CreatedInstance> {
    const body = await this.call({
      operation: 'createInstance',
      method: 'POST',
      path: '/instance/create',
      apikey: this.apiKey,
      body: {
        instanceName: input.instanceName,
        token: input.token,
        integration: 'WHATSAPP-BAILEYS',
        // With qrcode:true Evolution blocks ~5 s waiting for a QR; connect() asks for it instead.
        qrcode: false,
        number: input.number === undefined ? undefined : e164ToNumber(input.number),
      },
    });
    const created = parseResponse(createInstanceResponseSchema, body, 'createInstance');
    return {
      instanceName: created.instance.instanceName,
      instanceId: created.instance.instanceId,
      token: created.hash,
      state: created.instance.status,
    };
  }

  async connect(ref: InstanceRef, options: ConnectOptions = {}): Promise<ConnectResult> {
    const body = await this.call({
      ...this.instanceCall('connect', 'GET', '/instance/connect', ref),
      query: { number: options.number === undefined ? undefined : e164ToNumber(options.number) },
    });
    if (embeddedErrorSchema.safeParse(body).success) {
      throw classifyHttpFailure({ status: 200, body, embedded: true });
    }
    return toConnectResult(body, 'connect');
  }

  async connectionState(ref: InstanceRef): Promise<ConnectionState> {
    const body = await this.call(
      this.instanceCall('connectionState', 'GET', '/instance/connectionState', ref),
    );
    return parseResponse(instanceStateResponseSchema, body, 'connectionState').instance.state;
  }

  async fetchInstance(instanceName: string): Promise<InstanceInfo | null> {
    try {
      const body = await this.call({
        operation: 'fetchInstances',
        method: 'GET',
        path: '/instance/fetchInstances',
        apikey: this.apiKey,
        query: { instanceName },
      });
      return toInstanceInfo(body, instanceName);
    } catch (error) {
      if (isGatewayError(error) && error.code === 'instance_not_found') return null;
      throw error;
    }
  }

  async logout(ref: InstanceRef): Promise<LogoutResult> {
    let body: unknown;
    try {
      body = await this.call(this.instanceCall('logout', 'DELETE', '/instance/logout', ref));
    } catch (error) {
      // 2.3.x answers 400 "instance is not connected" when it is already logged out.
      if (isGatewayError(error) && isAlreadyDisconnected(error)) return 'already_logged_out';
      throw error;
    }
    const answer = parseResponse(actionResponseSchema, body, 'logout');
    // 2.4.0 answers 200 "Instance was already disconnected" instead.
    const message = JSON.stringify(answer.response?.message ?? '');
    return /already disconnected/i.test(message) ? 'already_logged_out' : 'logged_out';
  }

  async deleteInstance(ref: InstanceRef): Promise<DeleteResult> {
    try {
      const body = await this.call(this.instanceCall('deleteInstance', 'DELETE', '/instance/delete', ref));
      parseResponse(actionResponseSchema, body, 'deleteInstance');
      return 'deleted';
    } catch (error) {
      if (isGatewayError(error) && error.code === 'instance_not_found') return 'already_deleted';
      throw error;
    }
  }

  async restart(ref: InstanceRef): Promise<ConnectResult> {
    const body = await this.call(this.instanceCall('restart', 'POST', '/instance/restart', ref));
    if (embeddedErrorSchema.safeParse(body).success) {
      // The one documented cause: the instance is `close`, with the useless "[object Object]".
      throw new GatewayError({
        code: 'not_connected',
        message: 'Evolution cannot restart an instance that is closed; connect it instead',
        status: 200,
        details: { reason: 'instance_closed' },
      });
    }
    return toConnectResult(body, 'restart');
  }

  async setWebhook(ref: InstanceRef, settings: WebhookSettings): Promise<WebhookConfig> {
    if (settings.events.length === 0) {
      // Evolution reads an empty list as "every event", never what we mean.
      throw new GatewayError({ code: 'bad_request', message: 'setWebhook needs at least one event' });
    }
    const body = await this.call({
      ...this.instanceCall('setWebhook', 'POST', '/webhook/set', ref),
      body: {
        webhook: {
          enabled: true,
          url: settings.url,
          headers: settings.headers ?? {},
          byEvents: settings.byEvents ?? false,
          base64: settings.base64 ?? false,
          events: [...settings.events],
        },
      },
    });
    return toWebhookConfig(parseResponse(webhookRowSchema, body, 'setWebhook'));
  }

  async findWebhook(ref: InstanceRef): Promise<WebhookConfig | null> {
    const body = await this.call(this.instanceCall('findWebhook', 'GET', '/webhook/find', ref));
    const row = parseResponse(findWebhookResponseSchema, body, 'findWebhook');
    return row === null ? null : toWebhookConfig(row);
  }

  async sendText(ref: InstanceRef, input: SendTextInput): Promise<SendResult> {
    const body = await this.call({
      ...this.instanceCall('sendText', 'POST', '/message/sendText', ref),
      body: {
        number: e164ToNumber(input.number),
        text: input.text,
        delay: input.delay,
        linkPreview: input.linkPreview,
      },
      extraTimeoutMs: input.delay,
    });
    return toSendResult(body, 'sendText');
  }

  async sendMedia(ref: InstanceRef, input: SendMediaInput): Promise<SendResult> {
    const media = toEvolutionMedia(input.media);
    const mimetype = input.mimetype ?? media.mimetype ?? undefined;
    // Evolution reads the type from the file name's extension whenever there is a name. A document
    // always gets one: unnamed, Evolution names it with /.*\/(.+?)\./ on the URL (§3.11), which
    // cuts the extension off (…/plan.pdf → "plan") or takes the host's first label, so the type
    // became "false"; and a URL with no dot after any slash failed the send with a 500.
    const givenName = input.fileName ?? (input.mediatype === 'document' ? 'document' : undefined);
    const fileName =
      givenName === undefined ? undefined : mediaFileName(input.mediatype, givenName, mimetype);
    const body = await this.call({
      ...this.instanceCall('sendMedia', 'POST', '/message/sendMedia', ref),
      body: {
        number: e164ToNumber(input.number),
        mediatype: input.mediatype,
        media: media.media,
        mimetype,
        caption: input.caption,
        fileName,
        delay: input.delay,
      },
      extraTimeoutMs: input.delay,
    });
    return toSendResult(body, 'sendMedia');
  }

  async sendWhatsAppAudio(ref: InstanceRef, input: SendAudioInput): Promise<SendResult> {
    const audio = toEvolutionMedia(input.audio);
    const body = await this.call({
      ...this.instanceCall('sendWhatsAppAudio', 'POST', '/message/sendWhatsAppAudio', ref),
      body: { number: e164ToNumber(input.number), audio: audio.media, delay: input.delay, encoding: true },
      extraTimeoutMs: input.delay,
    });
    return toSendResult(body, 'sendWhatsAppAudio');
  }

  async whatsappNumbers(ref: InstanceRef, numbers: readonly string[]): Promise<NumberCheck[]> {
    if (numbers.length === 0) return [];
    const body = await this.call({
      ...this.instanceCall('whatsappNumbers', 'POST', '/chat/whatsappNumbers', ref),
      body: { numbers: numbers.map(e164ToNumber) },
    });
    return toNumberChecks(body);
  }

  async findStatusMessage(ref: InstanceRef, query: StatusQuery): Promise<StatusRecord[]> {
    const body = await this.call({
      ...this.instanceCall('findStatusMessage', 'POST', '/chat/findStatusMessage', ref),
      // `offset` is Evolution's page size; one message has a handful of status rows at most.
      body: { where: { remoteJid: query.remoteJid, id: query.id }, page: 1, offset: 100 },
    });
    return toStatusRecords(body);
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** Every `/:instanceName` route accepts the instance's own token, so we never spread the global key. */
  private instanceCall(
    operation: string,
    method: EvolutionRequest['method'],
    route: string,
    ref: InstanceRef,
  ): EvolutionRequest {
    return { operation, method, path: `${route}/${encodeURIComponent(ref.instanceName)}`, apikey: ref.token };
  }

  private async call(request: EvolutionRequest): Promise<unknown> {
    const response = await this.http.send(request);
    if (response.status >= 200 && response.status < 300) return response.body;
    throw classifyHttpFailure({
      status: response.status,
      body: response.body,
      retryAfter: response.retryAfter,
    });
  }
}
