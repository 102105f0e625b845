import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ReportFolder } from './report-folder';
import { ReportsController, StreamSummaryController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/** Sales reports: the order journal folded into rollups, the report API, the live GMV ticker. */
@Module({
  imports: [WebhooksModule],
  controllers: [ReportsController, StreamSummaryController],
  providers: [ReportsRepository, ReportFolder, ReportsService],
  exports: [ReportsService, ReportFolder],
})
export class ReportsModule {}
