#!/usr/bin/env bash
# The main job end to end on the bundled fixtures: create a workspace, import the messy pudong
# catalogs, re-import (nothing changes), show an industry, export, and reject a broken file with a
# report the office could send back; then extract the reform plans' tasks, import a task ledger, issue
# licences, record a progress return and write the progress report; then write the five documents of one
# industry and print one licence. Everything is written under out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${YIYE_DEMO_OUT:-out/demo}" # YIYE_DEMO_OUT: another folder (the test runs the demo in a scratch folder)
rm -rf "$out" && mkdir -p "$out"
export YIYE_DB="$out/yiye.db"
yiye() { node bin/run.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. 创建工作区 yiye init"
yiye init --region 310115 --authority 浦东新区人民政府 --yes

step "2. 导入浦东首批试点行业、事项目录、对应表（xlsx 标题行/合并单元格、GBK csv、UTF-16 csv）"
yiye catalog inspect fixtures/catalog/pudong/附件2-事项目录.xlsx   # 导入前先看：每列识别为哪个字段、示例值
yiye catalog import fixtures/catalog/pudong/*.xlsx fixtures/catalog/pudong/*.csv --actor 演示

step "3. 再次导入同一批文件：目录不应有任何变化"
yiye catalog import fixtures/catalog/pudong/*.xlsx fixtures/catalog/pudong/*.csv --actor 演示

step "4. 查看“便利店”：部门、事项、材料"
yiye catalog show 便利店

step "5. 导出目录（可原样再导入）"
yiye catalog export "$out/目录导出.xlsx"

step "6. 导入一个有错误的部门报表：整批拒绝（退出码 3），错误清单写入 $out/错误清单.xlsx"
set +e
yiye catalog import fixtures/catalog/bad/bad-multi.xlsx --report "$out/错误清单.xlsx"
code=$?
set -e
echo "退出码：$code"
[ "$code" -eq 3 ] || { echo "演示失败：应以退出码 3 拒绝"; exit 1; }

# Reform tasks and the progress report. The plans are the policy texts in ../shared/seeds (beside
# the clone, in CI too; YIYE_SEEDS overrides); without them the copies in fixtures/tasks/seeds serve.
seeds="${YIYE_SEEDS:-../shared/seeds}"
step "7. 从政策原文提取改革任务（$seeds）"
if ! compgen -G "$seeds/*.txt" >/dev/null; then
  echo "未找到政策原文目录“$seeds”（或其中没有 .txt 文件），改用仓库自带的副本 fixtures/tasks/seeds。可设置 YIYE_SEEDS=目录 指定原文所在位置。"
  seeds=fixtures/tasks/seeds
fi
for plan in "$seeds"/*.txt; do
  # first line: the plan and how many tasks; last line: what was stored
  yiye tasks extract "$plan" --actor 演示 | sed -n '1p;$p'
done

step "8. 导入任务台账（标题行、不同写法的单位名称、日期单元格与“2021年三季度”等时限）"
yiye tasks import fixtures/tasks/2021年工作台账.xlsx --actor 演示

step "9. 发放行业综合许可证（制证日期 2021-03-25，供试点行业落地情况统计）"
yiye license issue fixtures/license/发证申请-2026-03-15.xlsx --date 2021-03-25 --actor 演示 --results "$out/发证结果.xlsx"

step "10. 登记各单位报送的进展（已完成、推进中、受阻）"
yiye tasks update fixtures/tasks/updates/进展反馈-2021-05.xlsx

step "11. 截至 2021-05-31 已逾期的任务"
yiye tasks list --overdue --as-of 2021-05-31 | sed -n 1,8p

step "12. 进展报告：md（书面报告）、html（含图表，可打印）、xlsx（每部分一个工作表）"
for fmt in md html xlsx; do
  yiye report progress --as-of 2021-05-31 --format "$fmt" --out "$out/改革任务进展报告-2021-05-31.$fmt" | sed -n 1p
done

step "13. 为“便利店”生成五类文书：实施细则、办事指南、一次告知单、告知承诺书、一表申请（md、html、docx）"
yiye guide generate --industry 便利店 --date 2021-03-25 --out "$out/文书"

step "14. 设置扫码核验网址，打印一张行业综合许可证（A4 HTML，二维码为“核验网址#签名内容”，浏览器可直接打印或另存为 PDF）"
yiye settings set verify-url https://zwfw.example.gov.cn/yyyz/
number=$(yiye license list --limit 1 --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).licenses[0].number))')
yiye license print "$number" --date 2021-03-25 --out "$out/许可证-$number.html"

step "15. 双随机、一公开：导入执法人员名录和信用风险分类，按公布的种子抽取联合检查对象，写出抽查计划和结果公告"
yiye inspect roster import fixtures/inspect/执法人员名录.xlsx --actor 演示
yiye inspect risk import fixtures/inspect/信用风险分类结果.csv --actor 演示
yiye inspect draw --date 2021-06-01 --seed 2021060101 --ratio 20% --id 2021年6月联合抽查 --out "$out/双随机抽查" --actor 演示 | sed -n '1,2p;/已写出/,$p'

step "16. 生成扫码核验网站（静态网页：公钥、签名的撤销清单，手机扫码即在浏览器中核验）"
yiye license verify-site --out "$out/核验网站" | sed -n 1,3p

echo
echo "演示完成。产出都在 $out/："
echo "  工作区数据库      $YIYE_DB"
echo "  目录导出          $out/目录导出.xlsx；错误清单 $out/错误清单.xlsx"
echo "  发证结果          $out/发证结果.xlsx"
echo "  进展报告          $out/改革任务进展报告-2021-05-31.{md,html,xlsx}"
echo "  便利店五类文书    $out/文书/便利店/（rules、guide、notice、pledge、form 各有 .md .html .docx）"
echo "  打印的许可证      $out/许可证-$number.html"
echo "  双随机抽查        $out/双随机抽查/（抽查计划 xlsx、结果公告 md/html）"
echo "  核验网站          $out/核验网站/（本机预览：yiye license verify-site --out $out/核验网站 --serve）"
